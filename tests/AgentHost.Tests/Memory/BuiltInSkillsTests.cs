using System.CommandLine;
using System.Text.RegularExpressions;
using AgentHost.Cli.Startup;
using AgentHost.Cli;
using AgentHost.Cli.Interaction;
using AgentHost.Tests.Support;
using YamlDotNet.Serialization;

namespace AgentHost.Tests.Memory;

/// <summary>The built-in skills in skills/: frontmatter per the Agent Skills spec, and only real `agent` commands.</summary>
public sealed partial class BuiltInSkillsTests
{
    private static readonly string[] AllowedKeys = ["name", "description", "license", "compatibility", "metadata", "allowed-tools"];

    public static TheoryData<string> Skills => new(["agent-config", "plugin-authoring"]);

    [Theory]
    [MemberData(nameof(Skills))]
    public void Frontmatter_FollowsTheAgentSkillsSpec(string skill)
    {
        var text = File.ReadAllText(Path.Combine(SkillsDirectory, skill, "SKILL.md")).Replace("\r\n", "\n", StringComparison.Ordinal);
        Assert.StartsWith("---\n", text, StringComparison.Ordinal);
        var end = text.IndexOf("\n---\n", 4, StringComparison.Ordinal);
        Assert.True(end > 0, "the frontmatter is not closed by a --- line");

        var frontmatter = new DeserializerBuilder().Build().Deserialize<Dictionary<string, object>>(text[4..end]);

        Assert.All(frontmatter.Keys, key => Assert.Contains(key, AllowedKeys));
        Assert.Equal(skill, frontmatter["name"]);
        Assert.Matches("^[a-z0-9]+(-[a-z0-9]+)*$", (string)frontmatter["name"]);
        var description = Assert.IsType<string>(frontmatter["description"]);
        Assert.InRange(description.Length, 1, 1024);
        Assert.Contains("Use when", description, StringComparison.Ordinal);
        var metadata = Assert.IsType<Dictionary<object, object>>(frontmatter["metadata"]);
        Assert.All(metadata.Values, value => Assert.IsType<string>(value));
        Assert.InRange(text.Split('\n').Length, 1, 500);
    }

    [Theory]
    [MemberData(nameof(Skills))]
    public async Task EveryAgentCommandASkillMentions_Exists(string skill)
    {
        await using var context = new CliContext(new ConsoleInteraction(false, TextWriter.Null, TextWriter.Null, TextReader.Null), TestEnvironment.Create(Path.GetTempPath(), Path.GetTempPath()), new GlobalOptions());
        var root = CommandLineFactory.Create(context);
        var checkedCommands = 0;
        foreach (var file in Directory.EnumerateFiles(Path.Combine(SkillsDirectory, skill), "*.md", SearchOption.AllDirectories))
        {
            foreach (Match code in CodeSpans().Matches(File.ReadAllText(file)))
            {
                foreach (Match use in AgentCommand().Matches(code.Value))
                {
                    var name = use.Groups[1].Value;
                    var command = root.Subcommands.FirstOrDefault(c => c.Name == name);
                    Assert.True(command is not null, $"{Path.GetFileName(file)}: 'agent {name}' is not a command");
                    var sub = use.Groups[2].Value;
                    if (sub.Length > 0 && command.Subcommands.Count > 0)
                    {
                        Assert.True(command.Subcommands.Any(c => c.Name == sub), $"{Path.GetFileName(file)}: 'agent {name} {sub}' is not a command");
                    }

                    checkedCommands++;
                }
            }
        }

        Assert.True(checkedCommands > 5, $"only {checkedCommands} commands found");
    }

    private static string SkillsDirectory
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Host.sln")))
                {
                    return Path.Combine(dir.FullName, "skills");
                }
            }

            throw new InvalidOperationException("repository root (Host.sln) not found above " + AppContext.BaseDirectory);
        }
    }

    [GeneratedRegex("```[a-z]*\\n.*?```|`[^`\\n]+`", RegexOptions.Singleline)]
    private static partial Regex CodeSpans();

    [GeneratedRegex(@"(?<![\w./-])agent ([a-z]+)(?: ([a-z][a-z-]*))?")]
    private static partial Regex AgentCommand();
}
