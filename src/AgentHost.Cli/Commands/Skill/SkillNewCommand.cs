using System.CommandLine;
using AgentHost.Agent.Skills;
namespace AgentHost.Cli.Commands.Skill;

/// <summary><c>agent skill new NAME</c>: scaffolds a valid skill in the project's <c>.agents/skills/NAME/</c> (or <c>--dir</c>).</summary>
internal sealed class SkillNewCommand : AgentCommand
{
    private readonly Argument<string> _name = new("name") { Description = "The skill name: lowercase letters, digits and single hyphens." };
    private readonly Option<string?> _dir = new("--dir") { Description = "The folder to create the skill in (default: .agents/skills in the project root)." };
    private readonly Option<string?> _description = new("--description", "-d") { Description = "What the skill does and when to use it." };

    public SkillNewCommand(CliContext context)
        : base("new", "Create a skill folder with a valid SKILL.md to fill in.", context)
    {
        Arguments.Add(_name);
        Options.Add(_dir);
        Options.Add(_description);
    }

    protected override Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var parent = parseResult.GetValue(_dir) is { } dir
            ? Path.GetFullPath(dir, Context.Environment.CurrentDirectory)
            : Path.Combine(Context.Configuration(parseResult).ProjectRoot, ".agents", "skills");
        var file = SkillScaffold.Create(parent, parseResult.GetValue(_name)!, parseResult.GetValue(_description));
        Context.Console.WriteLine(file);
        Context.Console.WriteInfo($"Created {file}. Write its description and instructions, then check it with 'agent skill lint {Path.GetDirectoryName(file)}'.");
        return Task.FromResult(ExitCodes.Success);
    }
}
