using System.Diagnostics;
using System.Text.Json;
using AgentHost.Hosting;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Installation;

/// <summary><c>agent plugin install &lt;git url&gt;</c> against real local repositories served by <c>file://</c> URLs.</summary>
public sealed class GitInstallTests
{
    /// <summary>A repository whose tag v1 holds demo 1.0.0 and whose main branch then moved on to demo 2.0.0.</summary>
    private static (string Folder, string V1Commit) TaggedRepository(InstallSandbox box)
    {
        var folder = PluginPackages.WriteFolder(Path.Combine(box.Root, "repos"), "demo", "1.0.0");
        var v1 = GitRepositories.InitAndCommit(folder, "demo 1.0.0");
        GitRepositories.Git(folder, "tag", "v1");
        File.WriteAllText(Path.Combine(folder, "plugin.yaml"), PluginPackages.Manifest("demo", "2.0.0"));
        GitRepositories.Commit(folder, "demo 2.0.0");
        return (folder, v1);
    }

    [RequiresProgramFact("git")]
    public async Task Install_FileUrlWithRef_InstallsThatTagAndRecordsUrlAndCommit()
    {
        using var box = new InstallSandbox();
        var (folder, v1) = TaggedRepository(box);
        var url = GitRepositories.FileUrl(folder);

        var result = await box.RunAsync("plugin", "install", url + "#v1", "--yes");
        var info = await box.RunAsync("plugin", "info", "demo");

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        Assert.Contains($"Source       git: {url}#v1", result.Output, StringComparison.Ordinal);
        Assert.Contains($"Git          {url}#v1 at commit {v1}", result.Output, StringComparison.Ordinal);
        Assert.Contains("Installed demo 1.0.0 from git.", result.Output, StringComparison.Ordinal);
        var locked = box.LockFile().Find("demo")!;
        Assert.Equal(("git", url + "#v1", "1.0.0"), (locked.Source, locked.Origin, locked.Version));
        Assert.Equal((url, "v1", (string?)null, v1), (locked.Git!.Url, locked.Git.Ref, locked.Git.Path, locked.Git.Commit));
        Assert.Contains($"git:              {url}#v1 at commit {v1}", info.Output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(box.InstallDirectory("demo", "1.0.0"), ".git")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(box.Store.StagingDirectory));
    }

    [RequiresProgramFact("git")]
    public async Task Install_AtSignRef_IsTheSameAsHash()
    {
        using var box = new InstallSandbox();
        var (folder, v1) = TaggedRepository(box);

        var result = await box.RunAsync("plugin", "install", GitRepositories.FileUrl(folder) + "@v1", "--yes");

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        Assert.Equal(("1.0.0", v1), (box.LockFile().Find("demo")!.Version, box.LockFile().Find("demo")!.Git!.Commit));
    }

    [RequiresProgramFact("git")]
    public async Task Install_CommitIdAsRef_ChecksOutThatCommit()
    {
        using var box = new InstallSandbox();
        var (folder, v1) = TaggedRepository(box);

        var result = await box.RunAsync("plugin", "install", GitRepositories.FileUrl(folder) + "#" + v1, "--yes");

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        Assert.Equal(("1.0.0", v1), (box.LockFile().Find("demo")!.Version, box.LockFile().Find("demo")!.Git!.Commit));
    }

    [RequiresProgramFact("git")]
    public async Task Install_BareRepositoryWithPath_InstallsTheSubFolderAndListsIt()
    {
        using var box = new InstallSandbox();
        var work = Path.Combine(box.Root, "mono");
        PluginPackages.WriteFolder(Path.Combine(work, "plugins"), "sub", "1.0.0");
        File.WriteAllText(Path.Combine(work, "README.md"), "a monorepo");
        var commit = GitRepositories.InitAndCommit(work);
        var bare = GitRepositories.Bare(work, Path.Combine(box.Root, "mono.git"));

        var result = await box.RunAsync("plugin", "install", GitRepositories.FileUrl(bare), "--path", "plugins/sub-1.0.0", "--yes");
        var list = await box.RunAsync("plugin", "list", "--json");

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        Assert.True(File.Exists(Path.Combine(box.InstallDirectory("sub", "1.0.0"), "plugin.yaml")));
        Assert.False(File.Exists(Path.Combine(box.InstallDirectory("sub", "1.0.0"), "README.md")));
        var entry = JsonDocument.Parse(list.Output).RootElement.EnumerateArray().Single();
        Assert.Equal("git", entry.GetProperty("source").GetString());
        Assert.Equal(("plugins/sub-1.0.0", commit), (entry.GetProperty("git").GetProperty("path").GetString(), entry.GetProperty("git").GetProperty("commit").GetString()));
    }

    [RequiresProgramFact("git")]
    public async Task Update_AfterANewCommit_ClonesAgainAndReplacesTheSameVersion()
    {
        using var box = new InstallSandbox();
        var folder = Path.Combine(box.Root, "repo");
        var plugin = PluginPackages.WriteFolder(folder, "demo", "1.0.0");
        GitRepositories.InitAndCommit(plugin);
        var url = GitRepositories.FileUrl(plugin);
        await box.RunAsync("plugin", "install", url, "--yes");
        var unchanged = await box.RunAsync("plugin", "update", "demo", "--yes");
        File.AppendAllText(Path.Combine(plugin, "skills", "demo", "SKILL.md"), "More.\n");
        var second = GitRepositories.Commit(plugin, "more");

        var updated = await box.RunAsync("plugin", "update", "demo", "--yes");

        Assert.Contains("demo 1.0.0 is up to date.", unchanged.Output, StringComparison.Ordinal);
        Assert.True(updated.ExitCode == ExitCodes.Success, updated.Error);
        Assert.Contains($"Updated demo 1.0.0 -> 1.0.0 (commit {second[..12]}).", updated.Output, StringComparison.Ordinal);
        Assert.Equal(second, box.LockFile().Find("demo")!.Git!.Commit);
        Assert.EndsWith("More.\n", File.ReadAllText(Path.Combine(box.InstallDirectory("demo", "1.0.0"), "skills", "demo", "SKILL.md")), StringComparison.Ordinal);
    }

    [RequiresProgramFact("git")]
    public async Task Install_RefThatDoesNotExist_SaysHowToListRefs()
    {
        using var box = new InstallSandbox();
        var (folder, _) = TaggedRepository(box);
        var url = GitRepositories.FileUrl(folder);

        var result = await box.RunAsync("plugin", "install", url + "#v9", "--yes");

        Assert.Equal(ExitCodes.NotFound, result.ExitCode);
        Assert.Contains($"error: {url} has no branch or tag 'v9'. 'git ls-remote --heads --tags {url}' lists those that exist", result.Error, StringComparison.Ordinal);
        Assert.Null(box.LockFile().Find("demo"));
    }

    [RequiresProgramFact("git")]
    public async Task Install_UnreachableRepository_NamesItAndTheCheck()
    {
        using var box = new InstallSandbox();
        var url = GitRepositories.FileUrl(Path.Combine(box.Root, "missing"));

        var result = await box.RunAsync("plugin", "install", url, "--yes");

        Assert.Equal(ExitCodes.NotFound, result.ExitCode);
        Assert.Contains($"error: cannot clone {url}: ", result.Error, StringComparison.Ordinal);
        Assert.Contains("does not appear to be a git repository", result.Error, StringComparison.Ordinal);
        Assert.Contains($"'git ls-remote {url}'", result.Error, StringComparison.Ordinal);
    }

    [RequiresProgramFact("git")]
    public async Task Install_RepositoryWithoutPlugin_NamesTheUrlNotTheTemporaryClone()
    {
        using var box = new InstallSandbox();
        var folder = Path.Combine(box.Root, "notaplugin");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "README.md"), "nothing here");
        GitRepositories.InitAndCommit(folder);
        var url = GitRepositories.FileUrl(folder);

        var result = await box.RunAsync("plugin", "install", url, "--yes");

        Assert.NotEqual(ExitCodes.Success, result.ExitCode);
        Assert.Contains($"error: {url} is not a plugin folder: looked for a plugin.yaml", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(".clone", result.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(box.Store.StagingDirectory));
    }

    /// <summary>A repository could point its plugin folder at the user's own files; the install must not copy them.</summary>
    [SymlinkFact]
    public async Task Install_PathThroughSymbolicLink_IsRefused()
    {
        using var box = new InstallSandbox();
        var outside = PluginPackages.WriteFolder(Path.Combine(box.Root, "private"), "secret", "1.0.0");
        var repo = Path.Combine(box.Root, "linked");
        Directory.CreateDirectory(repo);
        File.WriteAllText(Path.Combine(repo, "README.md"), "x");
        Directory.CreateSymbolicLink(Path.Combine(repo, "plugin"), outside);
        GitRepositories.InitAndCommit(repo);

        var result = await box.RunAsync("plugin", "install", GitRepositories.FileUrl(repo), "--path", "plugin", "--yes");

        Assert.Equal(ExitCodes.Plugin, result.ExitCode);
        Assert.Contains("the plugin folder 'plugin' in " + GitRepositories.FileUrl(repo) + " goes through a symbolic link", result.Error, StringComparison.Ordinal);
        Assert.Null(box.LockFile().Find("secret"));
    }

    [Fact]
    public async Task Install_GitMissing_SaysToInstallGit()
    {
        using var box = new InstallSandbox();
        var environment = box.Environment with
        {
            Variables = new Dictionary<string, string>(box.Environment.Variables) { ["PATH"] = Path.Combine(box.Root, "empty-bin") },
        };

        var result = await CliRunner.RunAsync(environment, "plugin", "install", "https://example.invalid/o/r.git", "--yes");

        Assert.Equal(ExitCodes.NotFound, result.ExitCode);
        Assert.Contains("error: git is not installed or not on PATH, and installing from a git URL or a git marketplace needs it. Install git", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://example.com/o/r.git", "uses an unencrypted transport")]
    [InlineData("owner/repo", "If you meant the GitHub repository, write its URL: agent plugin install https://github.com/owner/repo.git")]
    public async Task Install_UnsupportedGitSpelling_ExplainsTheFix(string target, string expected)
    {
        using var box = new InstallSandbox();

        var result = await box.RunAsync("plugin", "install", target, "--yes");

        Assert.NotEqual(ExitCodes.Success, result.ExitCode);
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Install_PathWithoutGitUrl_IsAUsageError()
    {
        using var box = new InstallSandbox();

        var result = await box.RunAsync("plugin", "install", "demo", "--path", "sub", "--yes");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("--path applies to git URLs", result.Error, StringComparison.Ordinal);
    }

    /// <summary>
    /// The user's git configuration names a hooks folder and a template whose post-checkout hook writes a file; a
    /// plain clone runs it (checked first, so the test proves something), the install's clone must not.
    /// </summary>
    [RequiresProgramFact("git", "sh")]
    public async Task Install_CloneRunsNoHooks()
    {
        using var box = new InstallSandbox();
        var plugin = PluginPackages.WriteFolder(Path.Combine(box.Root, "repo"), "demo", "1.0.0");
        GitRepositories.InitAndCommit(plugin);
        var marker = Path.Combine(box.Root, "hook-ran");
        var hooks = Path.Combine(box.Root, "hooks");
        var template = Path.Combine(box.Root, "template");
        foreach (var folder in new[] { hooks, Path.Combine(template, "hooks") })
        {
            Directory.CreateDirectory(folder);
            var hook = Path.Combine(folder, "post-checkout");
            File.WriteAllText(hook, $"#!/bin/sh\necho ran >> '{marker}'\n");
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(hook, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }

        File.WriteAllText(Path.Combine(box.Root, ".gitconfig"), $"[core]\n\thooksPath = {hooks}\n[init]\n\ttemplateDir = {template}\n");
        PlainClone(box.Root, GitRepositories.FileUrl(plugin), Path.Combine(box.Root, "plain"));
        var hookWorks = File.Exists(marker);
        File.Delete(marker);

        var result = await box.RunAsync("plugin", "install", GitRepositories.FileUrl(plugin), "--yes");

        Assert.True(hookWorks, "the post-checkout hook should run on a plain clone with this configuration");
        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        Assert.False(File.Exists(marker), "the install's clone ran a hook");
    }

    private static void PlainClone(string home, string url, string destination)
    {
        var info = new ProcessStartInfo("git") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in new[] { "clone", "--quiet", url, destination })
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["HOME"] = home;
        info.Environment.Remove("GIT_CONFIG_GLOBAL");
        info.Environment.Remove("XDG_CONFIG_HOME");
        using var process = Process.Start(info)!;
        process.StandardOutput.ReadToEnd();
        process.StandardError.ReadToEnd();
        process.WaitForExit();
    }
}
