using System.CommandLine;
using System.Text.Json;
using AgentHost.Cli.Rendering;
namespace AgentHost.Cli.Commands;

/// <summary><c>agent skill list</c>: every skill found, with its source, status, path and problems.</summary>
internal sealed class SkillListCommand : AgentCommand
{
    private readonly Option<string[]> _plugins = PluginOptions.Create();
    private readonly Option<bool> _json = new("--json") { Description = "Print JSON (name, description, source, path, status, warnings)." };

    public SkillListCommand(CliContext context)
        : base("list", "List the skills found (project, user, skills.paths, plugins, built-in) in precedence order, with status and problems.", context)
    {
        Options.Add(_plugins);
        Options.Add(_json);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var snapshot = await SkillCommand.LoadAsync(Context, parseResult, parseResult.GetValue(_plugins) ?? [], cancellationToken).ConfigureAwait(false);
        if (parseResult.GetValue(_json))
        {
            Context.Console.WriteLine(JsonSerializer.Serialize(
                snapshot.All.Select(s => new
                {
                    name = s.Name,
                    description = s.Description,
                    source = s.SourceName,
                    root = s.Root.Label,
                    path = s.File,
                    status = s.StatusName,
                    shadowedBy = s.ShadowedBy,
                    userInvocable = s.Document?.UserInvocable ?? false,
                    modelInvocable = s.IsModelInvocable,
                    allowedTools = s.Document?.AllowedTools ?? [],
                    problems = s.Problems.Select(p => new { severity = p.SeverityName, line = p.Line, message = p.Message }),
                }),
                PluginFormatting.Json));
            return ExitCodes.Success;
        }

        if (snapshot.All.Count == 0)
        {
            Context.Console.WriteLine("No skills found. Create one with 'agent skill new NAME' (in .agents/skills/), or see docs/skills.md for where skills are looked for.");
            return ExitCodes.Success;
        }

        TextTable.Write(Context.Console, ["NAME", "SOURCE", "STATUS", "PATH"], snapshot.All.Select(s => new[]
        {
            s.Name + (s.Document is { DisableModelInvocation: true } ? " (user only)" : string.Empty),
            s.SourceName,
            s.StatusName,
            s.File,
        }).ToList());
        foreach (var problem in snapshot.All.SelectMany(s => s.Problems))
        {
            Context.Console.WriteInfo(problem.ToString());
        }

        foreach (var note in snapshot.Notes)
        {
            Context.Console.WriteInfo("warning: " + note);
        }

        return ExitCodes.Success;
    }
}
