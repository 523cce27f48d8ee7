using System.CommandLine;
using AgentHost.Hosting;
using AgentHost.Hosting.Text;
namespace AgentHost.Cli.Commands.Skill;

/// <summary><c>agent skill show NAME</c>: a skill's fields, files and instructions.</summary>
internal sealed class SkillShowCommand : AgentCommand
{
    private readonly Argument<string> _name = new("name") { Description = "The skill name." };
    private readonly PluginOptions _plugins = new();

    public SkillShowCommand(CliContext context)
        : base("show", "Show a skill: where it is, its fields, bundled files, problems and instructions.", context)
    {
        Arguments.Add(_name);
        _plugins.AddTo(this);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var name = parseResult.GetValue(_name)!;
        var snapshot = await SkillCommand.LoadAsync(Context, parseResult, _plugins, cancellationToken).ConfigureAwait(false);
        var skill = snapshot.Find(name) ?? snapshot.All.FirstOrDefault(s => s.Name == name);
        if (skill is null)
        {
            var names = snapshot.All.Select(s => s.Name).Distinct(StringComparer.Ordinal).ToList();
            throw new AgentHostException(ErrorKind.NotFound, $"no skill named '{name}'.{CloseMatches.Hint(CloseMatches.Find(name, names))} List them with 'agent skill list'.");
        }

        var console = Context.Console;
        console.WriteLine($"name: {skill.Name}");
        console.WriteLine($"description: {skill.Description}");
        console.WriteLine($"source: {skill.SourceName} ({skill.Root.Label})");
        console.WriteLine($"path: {skill.File}");
        console.WriteLine($"status: {skill.StatusName}" + (skill.ShadowedBy is { } by ? $" (by {by})" : string.Empty));
        if (skill.Document is { } document)
        {
            WriteIf("license", document.License);
            WriteIf("compatibility", document.Compatibility);
            foreach (var (key, value) in document.Metadata)
            {
                console.WriteLine($"metadata.{key}: {value}");
            }

            WriteIf("allowed-tools", document.AllowedTools.Count == 0 ? null : string.Join(' ', document.AllowedTools));
            console.WriteLine($"user-invocable: {(document.UserInvocable ? "true" : "false")}");
            console.WriteLine($"disable-model-invocation: {(document.DisableModelInvocation ? "true" : "false")}");
            var files = Agent.Skills.SkillContent.BundledFiles(skill.Directory, out var more);
            WriteIf("files", files.Count == 0 ? null : string.Join(", ", files) + (more ? ", …" : string.Empty));
        }

        foreach (var problem in skill.Problems)
        {
            console.WriteInfo(problem.ToString());
        }

        if (skill.Document is { Body.Length: > 0 } withBody)
        {
            console.WriteLine();
            console.WriteLine(withBody.Body);
        }

        return skill.Document is null ? ExitCodes.Failure : ExitCodes.Success;

        void WriteIf(string label, string? value)
        {
            if (value is not null)
            {
                console.WriteLine($"{label}: {value}");
            }
        }
    }
}
