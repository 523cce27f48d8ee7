using AgentHost.Permissions;
using AgentHost.Permissions.Paths;
using AgentHost.Tests.Permissions;
using AgentHost.Tests.Support;

namespace AgentHost.Permissions.Tests;

/// <summary>The path sandbox on its own: root, extra directories, protected places, and every reading of a path.</summary>
public sealed class PathSandboxTests : IDisposable
{
    private readonly PermissionFixture _fixture = new();

    [Fact]
    public void Contains_TheRootAndBelow_ButNotASiblingSharingItsNamePrefix()
    {
        var sandbox = Sandbox();
        Directory.CreateDirectory(_fixture.Temp.Combine("repo-other"));

        Assert.True(sandbox.Contains(sandbox.Root));
        Assert.True(sandbox.Contains(Path.Combine(sandbox.Root, "src", "app.cs")));
        Assert.False(sandbox.Contains(sandbox.Root + "-other"));
        Assert.False(sandbox.Contains(Path.GetDirectoryName(sandbox.Root)!));
    }

    [Fact]
    public void ContainsPath_DotDot_IsResolvedBeforeTheCheck()
    {
        var sandbox = Sandbox();

        Assert.True(sandbox.ContainsPath("src/../README.md"));
        Assert.False(sandbox.ContainsPath("src/../../home/.bashrc"));
        Assert.False(sandbox.ContainsPath("../repo-other/x"));
    }

    [Fact]
    public void ContainsPath_Backslashes_AreSeparatorsOnEveryOs()
    {
        var sandbox = Sandbox();

        Assert.True(sandbox.ContainsPath("src\\app.cs"));
        Assert.False(sandbox.ContainsPath("src\\..\\..\\home\\.bashrc"));
    }

    [Fact]
    public void ContainsPath_PathsKnownOnlyAtRunTime_AreOutside()
    {
        var sandbox = Sandbox();

        Assert.False(sandbox.ContainsPath("$OUT/x"));
        Assert.False(sandbox.ContainsPath("~other/x"));
        Assert.Empty(sandbox.RealPaths("$(pwd)/x"));
        Assert.False(sandbox.ContainsPath("a\0b"));
    }

    [Fact]
    public void ExtraDirectories_WithTilde_AreInsideTheSandbox_TheRestOfHomeIsNot()
    {
        Directory.CreateDirectory(Path.Combine(_fixture.Home, "notes"));
        var sandbox = Sandbox("~/notes");

        Assert.Equal(2, sandbox.Directories.Count);
        Assert.Equal(sandbox.Root, sandbox.Directories[0]);
        Assert.True(sandbox.ContainsPath("~/notes/today.md"));
        Assert.True(sandbox.ContainsPath("$HOME/notes/today.md"));
        Assert.False(sandbox.ContainsPath("~/.ssh/id_rsa"));
    }

    [Fact]
    public void Contains_Case_FollowsTheFileSystem()
    {
        var sandbox = Sandbox();
        var shouted = Path.Combine(Path.GetDirectoryName(sandbox.Root)!, Path.GetFileName(sandbox.Root).ToUpperInvariant(), "src");

        // Windows and macOS ignore case in names: REPO/src is the project; elsewhere it is another folder.
        Assert.Equal(PathSandbox.FileSystemIgnoresCase, sandbox.Contains(shouted));
    }

    [SymlinkFact]
    public void ContainsPath_ALinkOutOfTheRoot_IsOutside_AndItsRealPathIsTheTarget()
    {
        var outside = Directory.CreateDirectory(_fixture.Temp.Combine("outside")).FullName;
        Directory.CreateSymbolicLink(Path.Combine(_fixture.Root, "out"), outside);
        var sandbox = Sandbox();

        Assert.False(sandbox.ContainsPath("out/secret.txt"));
        Assert.Contains(Path.Combine(PathSandbox.RealPathOrSelf(outside), "secret.txt"), sandbox.RealPaths("out/secret.txt"));
        Assert.True(sandbox.ContainsPath("src/app.cs"));
    }

    [SymlinkFact]
    public void ContainsPath_LinkThenDotDot_IsOutside_WhenTheKernelsReadingLeaves()
    {
        // 'deep/../x': file tools read '..' first (the root's x), the kernel follows the link first (outside/a/x).
        var target = Directory.CreateDirectory(_fixture.Temp.Combine("outside", "a", "b")).FullName;
        Directory.CreateSymbolicLink(Path.Combine(_fixture.Root, "deep"), target);
        var sandbox = Sandbox();

        var real = sandbox.RealPaths("deep/../x");

        Assert.Contains(Path.Combine(sandbox.Root, "x"), real);
        Assert.Contains(Path.Combine(PathSandbox.RealPathOrSelf(_fixture.Temp.Combine("outside", "a")), "x"), real);
        Assert.False(sandbox.ContainsPath("deep/../x"));
    }

    [SymlinkFact]
    public void RealPaths_ALinkLoop_IsUnknown_AndOutside()
    {
        Directory.CreateSymbolicLink(Path.Combine(_fixture.Root, "a"), Path.Combine(_fixture.Root, "b"));
        Directory.CreateSymbolicLink(Path.Combine(_fixture.Root, "b"), Path.Combine(_fixture.Root, "a"));
        var sandbox = Sandbox();

        Assert.Empty(sandbox.RealPaths("a/x"));
        Assert.False(sandbox.ContainsPath("a/x"));
    }

    [Theory]
    [InlineData(".agent/config.yaml", "agent configuration")]
    [InlineData("src/.AGENT/permissions.yaml", "agent configuration")]
    [InlineData(".claude/skills/deploy/SKILL.md", "skills")]
    [InlineData(".agents/skills/x.md", "skills")]
    [InlineData(".husky/pre-commit", "git hooks")]
    [InlineData("$DIR/.agent/config.yaml", "agent configuration")]
    public void ProtectionOf_NamesTheProtectedPlace(string path, string reason)
    {
        var protection = Sandbox().ProtectionOf(path);

        Assert.NotNull(protection);
        Assert.StartsWith(reason, protection, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("src/app.cs")]
    [InlineData("docs/agent/config.yaml")]
    [InlineData(".claude/settings.json")]
    public void ProtectionOf_AnOrdinaryPath_IsNull(string path) => Assert.Null(Sandbox().ProtectionOf(path));

    [Fact]
    public void ProtectionOf_TheFolderCoreHooksPathNames_IsGitHooks()
    {
        Directory.CreateDirectory(Path.Combine(_fixture.Root, ".git"));
        File.WriteAllText(Path.Combine(_fixture.Root, ".git", "config"), "[core]\n\tbare = false\n\thooksPath = \"tools/hooks\" # shared\n");
        var sandbox = Sandbox();

        Assert.StartsWith("git hooks (the folder core.hooksPath names", sandbox.ProtectionOf("tools/hooks/pre-push"), StringComparison.Ordinal);
        Assert.Null(sandbox.ProtectionOf("tools/build.sh"));
    }

    [Fact]
    public void ProtectionOf_TheUsersProtectedPlaces_AndTheFoldersAboveThemInHome()
    {
        var sandbox = Sandbox();
        var area = sandbox.ProtectedPaths.Areas[0];

        Assert.Equal(area.Reason, sandbox.ProtectionOf(Path.Combine(area.Path, "x")));
        Assert.Equal(area.Reason, sandbox.ProtectionOf(Path.GetDirectoryName(area.Path)!));
    }

    public void Dispose() => _fixture.Dispose();

    private PathSandbox Sandbox(params string[] extra) => new(_fixture.Root, _fixture.Home, extra);
}
