using System.IO.Compression;
using AgentHost.Agent.Skills;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;
using Xunit.Abstractions;

namespace AgentHost.Tests.Template;

/// <summary>
/// The plugin author's flow from the template's README, end to end with real processes and word for word
/// (<see cref="PluginTemplateReadme"/>): a work folder with its own nuget.config and the agent tool in ./tools,
/// install the template, generate a plugin, pack it, install the package with that agent, run agent with the scripted
/// model (the tool really runs), test it, remove it; nothing outside the work folder but the template's per-user
/// registration changes, and that is undone.
/// </summary>
[Collection(TemplateEndToEnd.Name)]
[Trait("Speed", "Slow")]
public sealed class TemplateFlowTests(TemplateFeedFixture feed, ITestOutputHelper output)
{
    [Fact]
    public async Task ReadmeFlow_FromLocalFeedToAgentRun_ChangesNothingOutsideTheWorkFolder()
    {
        // The user's profile, as the nested processes see it: where a global NuGet source, a global tool or the
        // template registration would be written.
        var user = feed.NewFolder("user");
        var work = feed.NewFolder("agent-work");
        var dotnet = new Dictionary<string, string>(feed.DotnetEnvironment)
        {
            ["HOME"] = user,
            ["USERPROFILE"] = user,
            ["DOTNET_CLI_HOME"] = user,
            ["APPDATA"] = Path.Combine(user, "AppData", "Roaming"),
            ["LOCALAPPDATA"] = Path.Combine(user, "AppData", "Local"),
            ["XDG_CONFIG_HOME"] = Path.Combine(user, ".config"),
            ["XDG_DATA_HOME"] = Path.Combine(user, ".local", "share"),
        };
        var agent = new Dictionary<string, string>(dotnet)
        {
            ["AGENT_HOME"] = Path.Combine(work, "agent-home"),
            ["CI"] = "true",
            ["OPENAI_API_KEY"] = string.Empty,
            ["ANTHROPIC_API_KEY"] = string.Empty,
        };
        output.WriteLine($"{feed.FeedPackTime.TotalSeconds,6:0.0} s  dotnet {string.Join(' ', PluginTemplateReadme.PackFeed)} (here --no-build -c {feed.Configuration}: the test build built the projects)");

        // The feed as the README's pack writes it: ../agent-work/feed.
        Directory.CreateDirectory(Path.Combine(work, "feed"));
        foreach (var packed in Directory.GetFiles(feed.Feed, "*.nupkg"))
        {
            File.Copy(packed, Path.Combine(work, "feed", Path.GetFileName(packed)));
        }

        // The README's cp, from the clone's root (the repository this test runs in) to the work folder.
        File.Copy(Path.Combine(feed.RepositoryRoot, PluginTemplateReadme.CopyNuGetConfig[0]), Path.Combine(work, Path.GetFileName(PluginTemplateReadme.CopyNuGetConfig[1])));
        foreach (var step in PluginTemplateReadme.Setup)
        {
            await TimedAsync(() => TemplateFeedFixture.DotnetAsync(work, dotnet, step), "dotnet", step);
        }

        var tool = Path.Combine(work, "tools", OperatingSystem.IsWindows() ? "agent.exe" : "agent");
        Assert.True(File.Exists(tool), $"dotnet tool install --tool-path tools did not write {tool}");
        await TimedAsync(() => TemplateFeedFixture.DotnetAsync(work, dotnet, PluginTemplateReadme.InstallTemplate), "dotnet", PluginTemplateReadme.InstallTemplate);
        await TimedAsync(() => TemplateFeedFixture.DotnetAsync(work, dotnet, PluginTemplateReadme.NewPlugin), "dotnet", PluginTemplateReadme.NewPlugin);
        var solution = Path.Combine(work, "Acme.JiraTools");
        Assert.True(File.Exists(Path.Combine(solution, "Acme.JiraTools.slnx")));
        Assert.True(File.Exists(Path.Combine(solution, "src", "Acme.JiraTools", "AcmeJiraToolsPlugin.cs")));

        await TimedAsync(() => TemplateFeedFixture.DotnetAsync(solution, dotnet, PluginTemplateReadme.PackPlugin), "dotnet", PluginTemplateReadme.PackPlugin);
        var package = Assert.Single(Directory.GetFiles(Path.Combine(solution, "out")));
        Assert.Equal("acme.jiratools.1.0.0.nupkg", Path.GetFileName(package));
        AssertPluginPackage(package, "Acme.JiraTools.dll", "skills/acme-jiratools/SKILL.md");

        var install = await TimedAsync(() => AgentAsync(tool, solution, agent, PluginTemplateReadme.InstallPlugin), "agent", PluginTemplateReadme.InstallPlugin);
        Assert.Contains("Installed acme.jiratools 1.0.0", install, StringComparison.Ordinal);

        var run = await TimedAsync(() => AgentAsync(tool, solution, agent, [.. PluginTemplateReadme.Run, "-o", "json"]), "agent", [.. PluginTemplateReadme.Run, "-o", "json"]);
        var events = RunWorkspace.Events(string.Join('\n', run.Split('\n').Where(line => line.StartsWith('{'))));
        // The plugin's tool is deferred: the demo finds it with tool_search, then calls it.
        var calls = events.Where(e => e.GetProperty("type").GetString() == "tool.completed").ToList();
        Assert.Equal(["tool_search", "text_stats"], calls.Select(e => e.GetProperty("tool").GetString()));
        var completed = calls[1];
        Assert.Equal("succeeded", completed.GetProperty("status").GetString());
        var readmeLines = File.ReadAllLines(Path.Combine(solution, "README.md")).Length;
        Assert.StartsWith($"README.md: {readmeLines} lines, ", completed.GetProperty("resultPreview").GetString(), StringComparison.Ordinal);
        Assert.Equal("acme.jiratools", Assert.Single(events, e => e.GetProperty("type").GetString() == "tool.started" && e.GetProperty("tool").GetString() == "text_stats").GetProperty("plugin").GetString());
        Assert.Equal("completed", events[^1].GetProperty("outcome").GetString());

        var test = await TimedAsync(() => TemplateFeedFixture.DotnetAsync(solution, dotnet, "test"), "dotnet", ["test"]);
        Assert.Matches(@"Passed!\s+-\s+Failed:\s+0, Passed:\s+4\b", test);

        Assert.Contains("acme.jiratools", await AgentAsync(tool, solution, agent, "plugin", "list"), StringComparison.Ordinal);
        await AgentAsync(tool, solution, agent, "plugin", "remove", "acme.jiratools");
        Assert.DoesNotContain("acme.jiratools", await AgentAsync(tool, solution, agent, "plugin", "list"), StringComparison.Ordinal);

        // Everything the flow set up is in the work folder; the user's profile has no NuGet source and no tool of it.
        Assert.Contains("agenthost-local", File.ReadAllText(Path.Combine(work, "nuget.config")), StringComparison.Ordinal);
        var userConfigs = Directory.EnumerateFiles(user, "*", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f).Equals("nuget.config", StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.All(userConfigs, f => Assert.DoesNotContain("agenthost", File.ReadAllText(f), StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(Directory.EnumerateFiles(user, "agent*", SearchOption.AllDirectories), f => f.Contains(Path.Combine(".dotnet", "tools"), StringComparison.Ordinal));
        // dotnet new install is per user by design; the README's uninstall undoes it.
        Assert.Contains(Directory.EnumerateFiles(user, "*", SearchOption.AllDirectories), f => f.Contains("AgentHost.PluginTemplate", StringComparison.OrdinalIgnoreCase));
        await TimedAsync(() => TemplateFeedFixture.DotnetAsync(work, dotnet, PluginTemplateReadme.UninstallTemplate), "dotnet", PluginTemplateReadme.UninstallTemplate);
        var (listCode, list) = await DotnetProcess.RunAsync(work, dotnet, TemplateFeedFixture.Timeout, "new", "list", "agent-plugin");
        Assert.True(listCode != 0 || !list.Contains("agent-plugin", StringComparison.Ordinal), list);
    }

    private async Task<string> TimedAsync(Func<Task<string>> step, string program, string[] args)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var result = await step();
        output.WriteLine($"{watch.Elapsed.TotalSeconds,6:0.0} s  {program} {string.Join(' ', args)}");
        return result;
    }

    /// <summary>Runs the agent tool installed in the work folder and asserts it succeeded.</summary>
    private static async Task<string> AgentAsync(string tool, string workingDirectory, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var (code, text) = await DotnetProcess.RunProgramAsync(tool, workingDirectory, environment, TemplateFeedFixture.Timeout, args);
        Assert.True(code == ExitCodes.Success, $"agent {string.Join(' ', args)} exited with {code}:\n{text}");
        return text;
    }

    [Fact]
    public async Task TemplateFromItsNupkg_GeneratesThePlugin_WithAnIdOverride_AndPacksIt()
    {
        var hive = Path.Combine(feed.Work, "nupkg-hive");
        var template = Path.Combine(feed.Feed, $"AgentHost.PluginTemplate.{feed.SdkVersion}.nupkg");
        await feed.DotnetAsync(feed.Work, "new", "install", template, "--debug:custom-hive", hive);

        var solution = await feed.NewPluginAsync("Contoso.Notes", hive, "--id", "contoso.notes-tools", "--sdk-version", feed.SdkVersion);

        var project = Path.Combine(solution, "src", "Contoso.Notes");
        var manifest = File.ReadAllText(Path.Combine(project, "plugin.yaml"));
        Assert.Contains("id: contoso.notes-tools\n", manifest.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("type: Contoso.Notes.ContosoNotesPlugin", manifest, StringComparison.Ordinal);
        Assert.Contains($"sdk: \"^{string.Join('.', feed.SdkVersion.Split('.').Take(2))}\"", manifest, StringComparison.Ordinal);
        Assert.Contains($"Include=\"AgentHost.Sdk\" Version=\"{feed.SdkVersion}\"", File.ReadAllText(Path.Combine(project, "Contoso.Notes.csproj")), StringComparison.Ordinal);
        var skill = SkillParser.ParseFile(Path.Combine(project, "skills", "contoso-notes-tools", "SKILL.md"));
        Assert.Empty(skill.Problems);

        await feed.DotnetAsync(solution, "pack", Path.Combine("src", "Contoso.Notes"), "-o", "out");
        AssertPluginPackage(Path.Combine(solution, "out", "contoso.notes-tools.1.0.0.nupkg"), "Contoso.Notes.dll", "skills/contoso-notes-tools/SKILL.md");
    }

    [Fact]
    public async Task Pack_WhenPluginYamlEntryIsNotTheProjectAssembly_FailsWithTheFix()
    {
        var solution = await feed.NewPluginAsync("Acme.Mismatch", feed.Hive);
        var manifest = Path.Combine(solution, "src", "Acme.Mismatch", "plugin.yaml");
        File.WriteAllText(manifest, File.ReadAllText(manifest).Replace("assembly: Acme.Mismatch.dll", "assembly: Acme.Renamed.dll", StringComparison.Ordinal));

        var (code, output) = await DotnetProcess.RunAsync(solution, feed.DotnetEnvironment, TemplateFeedFixture.Timeout, "pack", Path.Combine("src", "Acme.Mismatch"), "-o", "out");

        Assert.NotEqual(0, code);
        Assert.Contains("plugin.yaml : error AGENTPLUGIN005: field 'entry': names 'Acme.Renamed.dll' but Acme.Mismatch.csproj builds 'Acme.Mismatch.dll'", output, StringComparison.Ordinal);
        Assert.Contains("Write 'assembly: Acme.Mismatch.dll' under entry:", output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(solution, "out")) && Directory.EnumerateFiles(Path.Combine(solution, "out")).Any());
    }

    /// <summary>The package is a plugin folder: manifest and published files at the root, nothing the host provides.</summary>
    private static void AssertPluginPackage(string package, string assembly, string skill)
    {
        using var zip = ZipFile.OpenRead(package);
        var entries = zip.Entries.Select(e => e.FullName).ToList();
        Assert.Contains("plugin.yaml", entries);
        Assert.Contains(assembly, entries);
        Assert.Contains(Path.ChangeExtension(assembly, ".deps.json"), entries);
        Assert.Contains(skill, entries);
        Assert.DoesNotContain(entries, e => e.StartsWith("lib/", StringComparison.Ordinal));
        Assert.DoesNotContain(entries, e => e.EndsWith("AgentHost.Sdk.dll", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(entries, e => e.EndsWith("Microsoft.Extensions.AI.Abstractions.dll", StringComparison.OrdinalIgnoreCase));
        using var nuspec = new StreamReader(zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open());
        Assert.DoesNotContain("<dependency ", nuspec.ReadToEnd(), StringComparison.Ordinal);
    }
}
