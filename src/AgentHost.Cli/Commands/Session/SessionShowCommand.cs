using System.CommandLine;
using System.Globalization;
using System.Text.Json;

namespace AgentHost.Cli.Commands.Session;

/// <summary><c>agent session show &lt;id&gt; [--json]</c>: metadata, usage, cost, status, parent and counts.</summary>
internal sealed class SessionShowCommand : AgentCommand
{
    private readonly Argument<string> _id = SessionFormatting.IdArgument();
    private readonly Option<bool> _json = SessionFormatting.JsonOption();

    public SessionShowCommand(CliContext context)
        : base("show", "Show a session's metadata, token usage, cost, status, parent and message/tool counts.", context)
    {
        Arguments.Add(_id);
        Options.Add(_json);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var (store, id) = await SessionFormatting.ResolveAsync(Context, parseResult.GetRequiredValue(_id), cancellationToken).ConfigureAwait(false);
        var session = await store.GetSessionAsync(id, cancellationToken).ConfigureAwait(false);
        var console = Context.Console;
        if (parseResult.GetValue(_json))
        {
            console.WriteDataLine(JsonSerializer.Serialize(SessionFormatting.ToJson(session), SessionFormatting.Json));
            return ExitCodes.Success;
        }

        void Line(string label, string? value) => console.WriteLine($"  {label + ":",-13}{value}");
        console.WriteLine($"{session.Id}  {SessionFormatting.Title(session)}");
        if (session.Name is { } name)
        {
            Line("name", name);
        }

        Line("workspace", session.Workspace);
        Line("model", string.Join('/', new[] { session.Provider, session.Model }.Where(p => p is not null)) is { Length: > 0 } model ? model : "-");
        Line("status", SessionFormatting.Status(session));
        Line("created", SessionFormatting.Stamp(session.CreatedAt));
        Line("updated", SessionFormatting.Stamp(session.UpdatedAt));
        Line("tokens", string.Create(CultureInfo.InvariantCulture, $"{session.InputTokens} in, {session.OutputTokens} out, {session.CachedTokens} cached{(session.ReasoningTokens > 0 ? $", {session.ReasoningTokens} reasoning" : string.Empty)}"));
        Line("cost", SessionFormatting.Cost(session.Cost));
        Line("messages", session.MessageCount.ToString(CultureInfo.InvariantCulture));
        Line("tool calls", session.ToolEventCount.ToString(CultureInfo.InvariantCulture));
        if (session.ParentId is not null)
        {
            Line("forked from", session.ParentId + (session.ForkMessageId is { } at ? $" at message {at}" : string.Empty));
        }

        foreach (var (key, value) in session.Settings.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            Line("setting", $"{key} = {value}");
        }

        return ExitCodes.Success;
    }
}
