using System.IO.Compression;
using AgentHost.Agent.Skills;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Template;

/// <summary>
/// The plugin author's flow from the template's README, end to end with real processes: install the template,
/// generate a plugin, test it, pack it, install the package with agent, run agent with the scripted model (the
/// tool really runs), remove it.
/// </summary>
[Collection(TemplateEndToEnd.Name)]
[Trait("Speed", "Slow")]
public sealed class TemplateFlowTests(TemplateFeedFixture feed)
{
    [Fact]
    public async Task GeneratedPlugin_Tests_Packs_Installs_RunsItsToolInAgentRun_AndIsRemoved()
    {
        var solution = await feed.NewPluginAsync("Acme.JiraTools", feed.Hive);
        Assert.True(File.Exists(Path.Combine(solution, "Acme.JiraTools.slnx")));
        Assert.True(File.Exists(Path.Combine(solution, "src", "Acme.JiraTools", "AcmeJiraToolsPlugin.cs")));

        var test = await feed.DotnetAsync(solution, "test");
        Assert.Matches(@"Passed!\s+-\s+Failed:\s+0, Passed:\s+4\b", test);

        await feed.DotnetAsync(solution, "pack", "-o", "out");
        var package = Assert.Single(Directory.GetFiles(Path.Combine(solution, "out")));
        Assert.Equal("acme.jiratools.1.0.0.nupkg", Path.GetFileName(package));
        AssertPluginPackage(package, "Acme.JiraTools.dll", "skills/acme-jiratools/SKILL.md");

        using var home = new TempDirectory();
        var agent = new Dictionary<string, string>
        {
            ["AGENT_HOME"] = home.Combine("agent-home"),
            ["CI"] = "true",
            ["HOME"] = home.Combine("home"),
            ["USERPROFILE"] = home.Combine("home"),
            ["XDG_CONFIG_HOME"] = home.Combine("xdg"),
            ["OPENAI_API_KEY"] = string.Empty,
            ["ANTHROPIC_API_KEY"] = string.Empty,
        };
        Directory.CreateDirectory(agent["HOME"]);

        var install = await AgentProcess.RunAsync(solution, agent, "plugin", "install", "out/acme.jiratools.1.0.0.nupkg", "--yes");
        Assert.True(install.ExitCode == ExitCodes.Success, install.Output + install.Error);
        Assert.Contains("Installed acme.jiratools 1.0.0", install.Output, StringComparison.Ordinal);

        var run = await AgentProcess.RunAsync(solution, agent,
            "run", "How long is the README?", "--plugin", "scripted", "--plugin", "acme.jiratools", "--model", "scripted/demo.yaml", "-o", "json");
        Assert.True(run.ExitCode == ExitCodes.Success, run.Output + run.Error);
        var events = RunWorkspace.Events(run.Output);
        // The plugin's tool is deferred: the demo finds it with tool_search, then calls it.
        var calls = events.Where(e => e.GetProperty("type").GetString() == "tool.completed").ToList();
        Assert.Equal(["tool_search", "text_stats"], calls.Select(e => e.GetProperty("tool").GetString()));
        var completed = calls[1];
        Assert.Equal("succeeded", completed.GetProperty("status").GetString());
        var readmeLines = File.ReadAllLines(Path.Combine(solution, "README.md")).Length;
        Assert.StartsWith($"README.md: {readmeLines} lines, ", completed.GetProperty("resultPreview").GetString(), StringComparison.Ordinal);
        Assert.Equal("acme.jiratools", Assert.Single(events, e => e.GetProperty("type").GetString() == "tool.started" && e.GetProperty("tool").GetString() == "text_stats").GetProperty("plugin").GetString());
        Assert.Equal("completed", events[^1].GetProperty("outcome").GetString());

        var listed = await AgentProcess.RunAsync(solution, agent, "plugin", "list");
        Assert.Contains("acme.jiratools", listed.Output, StringComparison.Ordinal);
        var remove = await AgentProcess.RunAsync(solution, agent, "plugin", "remove", "acme.jiratools");
        Assert.True(remove.ExitCode == ExitCodes.Success, remove.Output + remove.Error);
        var after = await AgentProcess.RunAsync(solution, agent, "plugin", "list");
        Assert.True(after.ExitCode == ExitCodes.Success, after.Output + after.Error);
        Assert.DoesNotContain("acme.jiratools", after.Output, StringComparison.Ordinal);
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
