using System.CommandLine;
using AgentHost.Hosting;
using AgentHost.Permissions;
namespace AgentHost.Cli.Commands.Session;

/// <summary>
/// <c>agent session grant &lt;id&gt; RULE…</c> and <c>agent session revoke &lt;id&gt; RULE…</c>: the session's allow
/// rules, as "allow for this session" answers leave them.
/// </summary>
internal sealed class SessionGrantCommand : AgentCommand
{
    private readonly Argument<string> _id = SessionFormatting.IdArgument();
    private readonly Argument<string[]> _rules = new("rule") { Description = "Rules such as 'shell(npm test *)' or 'write(src/**)'.", Arity = ArgumentArity.OneOrMore };
    private readonly bool _revoke;

    public SessionGrantCommand(CliContext context, bool revoke)
        : base(
            revoke ? "revoke" : "grant",
            revoke ? "Remove rules granted for a session." : "Allow calls for one session (as answering 'allow for this session' does); see 'agent session audit'.",
            context)
    {
        _revoke = revoke;
        Arguments.Add(_id);
        Arguments.Add(_rules);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var (store, id) = await SessionFormatting.ResolveAsync(Context, parseResult.GetRequiredValue(_id), cancellationToken).ConfigureAwait(false);
        var rules = parseResult.GetRequiredValue(_rules).Select(r => r.Trim()).ToList();
        if (_revoke)
        {
            foreach (var rule in rules)
            {
                Context.Console.WriteLine(await store.Audit.RemoveGrantAsync(id, rule, cancellationToken).ConfigureAwait(false)
                    ? $"Revoked {rule} for session {id}."
                    : $"Session {id} has no grant {rule}.");
            }

            return ExitCodes.Success;
        }

        foreach (var rule in rules)
        {
            if (!PermissionRuleParser.TryParse(RuleList.Allow, rule, out _, out var error))
            {
                throw new AgentHostException(ErrorKind.Usage, $"'{rule}' is not a permission rule: {error}");
            }
        }

        await store.Audit.AddGrantsAsync(id, rules, "cli", cancellationToken).ConfigureAwait(false);
        Context.Console.WriteLine($"Granted {string.Join(", ", rules)} for session {id}.");
        return ExitCodes.Success;
    }
}
