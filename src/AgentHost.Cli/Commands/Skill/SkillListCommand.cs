using System.CommandLine;
using System.Text.Json;
using AgentHost.Agent.Skills;
using AgentHost.Cli.Rendering;
namespace AgentHost.Cli.Commands.Skill;

/// <summary><c>agent skill list</c>: every skill found, with its source, status, path and problems.</summary>
internal sealed class SkillListCommand : AgentCommand
{
    private readonly PluginOptions _plugins = new();
    private readonly Option<bool> _json = new("--json") { Description = "Print JSON (name, description, source, path, status, warnings)." };

    public SkillListCommand(CliContext context)
        : base("list", "List the skills found (project, user, skills.paths, plugins, built-in) in precedence order, with status and problems; of two skills with one name the first wins (the other is 'shadowed by' its folder).", context)
    {
        _plugins.AddTo(this);
        Options.Add(_json);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var snapshot = await SkillCommand.LoadAsync(Context, parseResult, _plugins, cancellationToken).ConfigureAwait(false);
        if (parseResult.GetValue(_json))
        {
            Context.Console.WriteDataLine(JsonSerializer.Serialize(
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
            s.Status == SkillStatus.Shadowed && snapshot.All.FirstOrDefault(w => w.File == s.ShadowedBy) is { } winner ? $"shadowed by {winner.Root.Label}" : s.StatusName,
            s.File,
        }).ToList());
        foreach (var problem in snapshot.All.Where(s => !s.Root.ThirdParty).SelectMany(s => s.Problems))
        {
            Context.Console.WriteInfo(problem.ToString());
        }

        // Skills in other tools' folders: one line, as in a run; 'agent skill lint' (or --json) has the details.
        if (SkillCatalog.ThirdPartySummary(snapshot) is { } summary)
        {
            Context.Console.WriteInfo("warning: " + summary);
        }

        foreach (var note in snapshot.Notes)
        {
            Context.Console.WriteInfo("warning: " + note);
        }

        return ExitCodes.Success;
    }
}
