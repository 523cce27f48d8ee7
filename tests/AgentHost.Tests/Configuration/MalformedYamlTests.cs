using System.Text.RegularExpressions;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Configuration;

/// <summary>
/// Broken YAML shapes in config files, SKILL.md frontmatter and plugin.yaml give a clear <c>file:line:col</c> error
/// through the real CLI — never a resource key or a stack trace — and one bad skill never stops a run.
/// </summary>
public sealed class MalformedYamlTests : IDisposable
{
    private readonly RunWorkspace _ws = new();

    /// <summary>Broken shapes: the YAML, and the 1-based line the error must name.</summary>
    public static TheoryData<string, int> Shapes => new()
    {
        // An unclosed flow sequence followed by another key: YamlDotNet throws a bare InvalidOperationException.
        { "description: x\nallowed: [shell\nmode: yolo\n", 3 },
        { "description: x\nallowed: [shell, git\nother: [a]\n", 3 },
        { "description: x\nallowed: {a: b\nmode: yolo\n", 3 },
        { "description: x\nallowed: [shell\n", 2 },
        { "description: 'unclosed\nmode: yolo\n", 1 },
        { "description: x\n\tmode: yolo\n", 2 },
        { "description: x\nmode: [a, b]]\n", 2 },
        { "description: x\n  mode: yolo\n", 2 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public async Task ProjectConfig_Malformed_IsAnErrorNamingFileAndLine_InConfigShowAndRun(string yaml, int line)
    {
        _ws.WriteProjectConfig(yaml);
        var file = Path.Combine(_ws.Root, ".agent", "config.yaml");

        var show = await _ws.RunAsync("config", "show");
        var run = await _ws.RunAsync("run", "hi", "-p", "files", "-m", "scripted/none.yaml");

        foreach (var result in new[] { show, run })
        {
            Assert.Equal(ExitCodes.Configuration, result.ExitCode);
            Assert.Matches($@"{Regex.Escape(file)}:{line}:\d+: invalid YAML: .+ — .+", result.Error);
            AssertNoInternals(result);
        }

        Assert.Equal(yaml, File.ReadAllText(file));
    }

    [Theory]
    [Trait("Speed", "Slow")]
    [MemberData(nameof(Shapes))]
    public async Task SkillFrontmatter_Malformed_IsReportedWithFileAndLine_AndTheRunStillCompletes(string yaml, int line)
    {
        var skills = Path.Combine(_ws.Root, ".agents", "skills");
        SkillFilesWrite(Path.Combine(skills, "good"), "---\nname: good\ndescription: A good skill.\n---\nBody.\n");
        var bad = SkillFilesWrite(Path.Combine(skills, "bad"), "---\nname: bad\n" + yaml + "---\nBody.\n");
        var script = _ws.WriteScript("turns:\n  - expect:\n      system_contains: \"<name>good</name>\"\n    text: Finished.\n");

        var list = await _ws.RunAsync("skill", "list");
        var run = await _ws.RunAsync("run", "hi", "-p", "scripted", "-m", "scripted/" + script, "-o", "final");

        Assert.True(run.ExitCode == ExitCodes.Success, run.Error);
        Assert.Equal("Finished.", run.Output.Trim());
        Assert.Contains("good", list.Output, StringComparison.Ordinal);
        Assert.Matches($@"{Regex.Escape(bad)}:{line + 2}\b", list.Output + list.Error);
        AssertNoInternals(list);
        AssertNoInternals(run);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public async Task PluginManifest_Malformed_FailsInstall_NamingFileAndLine(string yaml, int line)
    {
        var folder = _ws.Combine("broken-plugin");
        Directory.CreateDirectory(folder);
        var manifest = Path.Combine(folder, "plugin.yaml");
        File.WriteAllText(manifest, yaml);

        var install = await _ws.RunAsync("plugin", "install", folder, "--yes");

        Assert.NotEqual(ExitCodes.Success, install.ExitCode);
        Assert.Matches($@"{Regex.Escape(manifest)}:{line}:\d+: invalid YAML: .+ — .+", install.Error);
        AssertNoInternals(install);
    }

    [Theory]
    [Trait("Speed", "Slow")]
    [MemberData(nameof(Shapes))]
    public async Task ScriptedProviderScript_Malformed_FailsTheRun_NamingFileAndLine(string yaml, int line)
    {
        var script = _ws.WriteScript(yaml);

        var run = await _ws.RunAsync("run", "hi", "-p", "scripted", "-m", "scripted/" + script);

        Assert.NotEqual(ExitCodes.Success, run.ExitCode);
        Assert.Matches($@"{Regex.Escape(script)}:{line}:\d+: invalid script: invalid YAML: .+ — .+", run.Error);
        AssertNoInternals(run);
    }

    public void Dispose() => _ws.Dispose();

    private static string SkillFilesWrite(string folder, string content)
    {
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, "SKILL.md");
        File.WriteAllText(file, content);
        return file;
    }

    private static void AssertNoInternals(CliResult result)
    {
        var text = result.Output + result.Error;
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Arg_", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
    }
}
