using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using AgentHost.Sessions;

namespace AgentHost.Cli.Commands.Session;

/// <summary><c>agent session audit &lt;id&gt; [--limit N] [--json]</c>: every permission decision of a session, and its grants.</summary>
internal sealed class SessionAuditCommand : AgentCommand
{
    private readonly Argument<string> _id = SessionFormatting.IdArgument();
    private readonly Option<int?> _limit = new("--limit") { Description = "Only the most recent N decisions." };
    private readonly Option<bool> _json = SessionFormatting.JsonOption();

    public SessionAuditCommand(CliContext context)
        : base("audit", "Show every permission decision of a session (tool, subject, decision, scope, rule, mode, who answered) and its grants.", context)
    {
        Arguments.Add(_id);
        Options.Add(_limit);
        Options.Add(_json);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var (store, id) = await SessionFormatting.ResolveAsync(Context, parseResult.GetRequiredValue(_id), cancellationToken).ConfigureAwait(false);
        var entries = await store.Audit.GetAuditAsync(id, parseResult.GetValue(_limit), cancellationToken).ConfigureAwait(false);
        var grants = await store.Audit.GetGrantsAsync(id, cancellationToken).ConfigureAwait(false);
        var settings = await store.GetSettingsAsync(id, cancellationToken).ConfigureAwait(false);
        var mode = settings.TryGetValue(Sessions.SessionSettings.PermissionMode, out var m) ? m : null;
        var console = Context.Console;
        if (parseResult.GetValue(_json))
        {
            console.WriteDataLine(JsonSerializer.Serialize(
                new
                {
                    session = id,
                    mode,
                    grants,
                    decisions = entries.Select(e => new
                    {
                        at = e.At,
                        callId = e.CallId,
                        tool = e.Tool,
                        plugin = e.Plugin,
                        action = e.Action,
                        subject = e.Subject,
                        decision = e.Decision,
                        scope = e.Scope,
                        rule = e.Rule,
                        mode = e.Mode,
                        answeredBy = e.AnsweredBy,
                        reason = e.Reason,
                        risk = e.Risk,
                    }),
                },
                SessionFormatting.Json));
            return ExitCodes.Success;
        }

        console.WriteLine($"session {id}: mode {mode ?? "(from configuration)"}, {grants.Count} grant(s){(grants.Count > 0 ? ": " + string.Join(", ", grants) : string.Empty)}");
        foreach (var e in entries)
        {
            var subject = e.Subject is null ? string.Empty : " " + SessionFormatting.OneLine(e.Subject, 80);
            console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{SessionFormatting.Stamp(e.At)}  {e.Decision,-5} {e.Scope,-14} {e.AnsweredBy,-8} {e.Mode,-12} {e.Risk ?? "-",-11} {e.Tool}{subject}  ({e.Rule ?? e.Reason})"));
        }

        if (entries.Count == 0)
        {
            console.WriteLine("(no permission decisions recorded)");
        }

        return ExitCodes.Success;
    }
}
