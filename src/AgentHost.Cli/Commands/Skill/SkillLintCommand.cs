using System.CommandLine;
using AgentHost.Agent.Skills;
using AgentHost.Hosting;
namespace AgentHost.Cli.Commands.Skill;

/// <summary><c>agent skill lint [PATH]</c>: checks SKILL.md files; exits non-zero on errors (for skill authors' CI).</summary>
internal sealed class SkillLintCommand : AgentCommand
{
    private readonly Argument<string?> _path = new("path") { Description = "A SKILL.md, a skill folder or a folder of skills (default: every skill 'agent skill list' finds).", Arity = ArgumentArity.ZeroOrOne };
    private readonly Option<bool> _strict = new("--strict") { Description = "Fail on warnings too." };

    public SkillLintCommand(CliContext context)
        : base("lint", "Check SKILL.md files against the Agent Skills standard; exit 1 on errors (with --strict, on warnings too).", context)
    {
        Arguments.Add(_path);
        Options.Add(_strict);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var given = parseResult.GetValue(_path);
        SkillLintResult result;
        if (given is null)
        {
            // Every skill a run finds, with the catalog's own verdicts (duplicates are the 'shadowed' of 'agent skill list').
            result = SkillLinter.Lint(await SkillCommand.LoadAsync(Context, parseResult, null, cancellationToken).ConfigureAwait(false));
            if (result.Files.Count == 0)
            {
                throw new AgentHostException(ErrorKind.NotFound, "no skills found; create one with 'agent skill new NAME', or give a SKILL.md, a skill folder or a folder of skills.");
            }
        }
        else
        {
            var path = Path.GetFullPath(given, Context.Environment.CurrentDirectory);
            try
            {
                result = SkillLinter.Lint(path);
            }
            catch (FileNotFoundException ex)
            {
                throw new AgentHostException(ErrorKind.NotFound, ex.Message);
            }

            if (result.Files.Count == 0)
            {
                throw new AgentHostException(ErrorKind.NotFound, $"no {SkillParser.FileName} found under {path}; give a SKILL.md, a skill folder or a folder of skills.");
            }
        }

        foreach (var problem in result.Problems)
        {
            Context.Console.WriteLine(problem.ToString());
        }

        var strict = parseResult.GetValue(_strict);
        Context.Console.WriteInfo($"{result.Files.Count} skill(s) checked: {result.Errors} error(s), {result.Warnings} warning(s)");
        return result.Errors > 0 || (strict && result.Warnings > 0) ? ExitCodes.Failure : ExitCodes.Success;
    }
}
