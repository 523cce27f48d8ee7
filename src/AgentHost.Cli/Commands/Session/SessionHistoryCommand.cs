using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using AgentHost.Sessions;
using AgentHost.Sessions.Journal;
using Microsoft.Extensions.AI;

namespace AgentHost.Cli.Commands.Session;

/// <summary><c>agent session history &lt;id&gt; [--kind messages|tools] [--limit N] [--cursor C] [--json]</c>: one page of history.</summary>
internal sealed class SessionHistoryCommand : AgentCommand
{
    private readonly Argument<string> _id = SessionFormatting.IdArgument();
    private readonly Option<HistoryKind> _kind = new("--kind") { Description = "What to list: messages or tools.", DefaultValueFactory = _ => HistoryKind.Messages };
    private readonly Option<int> _limit = new("--limit") { Description = $"Page size (1-{ConversationLog.MaxPageSize}).", DefaultValueFactory = _ => 50 };
    private readonly Option<string?> _cursor = new("--cursor") { Description = "Continue after the previous page (its 'next cursor')." };
    private readonly Option<bool> _json = SessionFormatting.JsonOption();

    public SessionHistoryCommand(CliContext context)
        : base("history", "Show a page of a session's messages or tool calls, oldest first, and the cursor of the next page.", context)
    {
        Arguments.Add(_id);
        Options.Add(_kind);
        Options.Add(_limit);
        Options.Add(_cursor);
        Options.Add(_json);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var (store, id) = await SessionFormatting.ResolveAsync(Context, parseResult.GetRequiredValue(_id), cancellationToken).ConfigureAwait(false);
        var kind = parseResult.GetValue(_kind);
        var page = await store.Conversation.GetHistoryAsync(id, kind, parseResult.GetValue(_limit), parseResult.GetValue(_cursor), cancellationToken).ConfigureAwait(false);
        var console = Context.Console;
        if (parseResult.GetValue(_json))
        {
            object items = kind == HistoryKind.Messages
                ? page.Messages.Select(m => new
                {
                    id = m.Id,
                    seq = m.Sequence,
                    createdAt = m.CreatedAt,
                    role = m.Message.Role.Value,
                    summary = m.IsSummary,
                    contents = JsonSerializer.SerializeToElement(m.Message.Contents, AIJsonUtilities.DefaultOptions),
                })
                : page.ToolEvents.Select(t => new
                {
                    seq = t.Sequence,
                    createdAt = t.CreatedAt,
                    callId = t.CallId,
                    tool = t.Tool,
                    plugin = t.Plugin,
                    arguments = t.ArgumentsJson,
                    status = t.Status.ToString().ToLowerInvariant(),
                    error = t.Error,
                    durationMs = t.DurationMs,
                    diffSummary = t.DiffSummary,
                    files = t.Files,
                });
            console.WriteDataLine(JsonSerializer.Serialize(new { session = id, kind = kind.ToString().ToLowerInvariant(), items, nextCursor = page.NextCursor }, SessionFormatting.Json));
            return ExitCodes.Success;
        }

        foreach (var message in page.Messages)
        {
            console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"#{message.Sequence,-5} {message.Id}  {SessionFormatting.Stamp(message.CreatedAt)}  {message.Message.Role.Value + (message.IsSummary ? " (summary)" : string.Empty),-10} {SessionFormatting.Describe(message.Message)}"));
        }

        foreach (var tool in page.ToolEvents)
        {
            var detail = tool.Error ?? string.Join(' ', new[] { tool.DiffSummary }.Concat(tool.Files).Where(s => !string.IsNullOrEmpty(s)));
            console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"#{tool.Sequence,-5} {SessionFormatting.Stamp(tool.CreatedAt)}  {tool.Tool,-16} {tool.Status.ToString().ToLowerInvariant(),-10} {tool.DurationMs,7:0} ms  {tool.ArgumentsJson}{(detail.Length > 0 ? "  " + detail : string.Empty)}"));
        }

        if (page.Messages.Count == 0 && page.ToolEvents.Count == 0)
        {
            console.WriteLine(kind == HistoryKind.Messages ? "No messages." : "No tool calls.");
        }

        if (page.NextCursor is { } next)
        {
            console.WriteLine($"next cursor: {next}  (agent session history {id} --kind {kind.ToString().ToLowerInvariant()} --cursor {next})");
        }

        return ExitCodes.Success;
    }
}
