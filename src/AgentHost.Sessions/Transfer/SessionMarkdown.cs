using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.AI;
using AgentHost.Sessions.Sql;

namespace AgentHost.Sessions.Transfer;

/// <summary>Writes a session as a readable Markdown transcript.</summary>
internal static class SessionMarkdown
{
    private static readonly JsonSerializerOptions Indented = new(ContentCodec.Json) { WriteIndented = true };

    public static void WriteHeader(TextWriter writer, SessionInfo session)
    {
        writer.WriteLine($"# {(session.Title.Length > 0 ? session.Title : "Untitled session")}");
        writer.WriteLine();
        writer.WriteLine($"- **Session:** `{session.Id}`");
        writer.WriteLine($"- **Workspace:** `{session.Workspace}`");
        if (session.Provider is not null || session.Model is not null)
        {
            writer.WriteLine($"- **Model:** {string.Join('/', new[] { session.Provider, session.Model }.Where(p => p is not null))}");
        }

        writer.WriteLine($"- **Status:** {session.Status.ToString().ToLowerInvariant()}");
        writer.WriteLine($"- **Created:** {Stamp(session.CreatedAt)} · **Updated:** {Stamp(session.UpdatedAt)}");
        writer.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"- **Tokens:** {session.InputTokens} in, {session.OutputTokens} out, {session.CachedTokens} cached{(session.ReasoningTokens > 0 ? $", {session.ReasoningTokens} reasoning" : string.Empty)}{(session.Cost is { } cost ? $" · **Cost:** ${cost:0.######}" : string.Empty)}"));
        if (session.ParentId is not null)
        {
            writer.WriteLine($"- **Forked from:** `{session.ParentId}`{(session.ForkMessageId is null ? string.Empty : $" at message `{session.ForkMessageId}`")}");
        }

        writer.WriteLine();
    }

    public static void WriteMessage(TextWriter writer, StoredMessage stored)
    {
        var message = stored.Message;
        var role = message.Role.Value.Length == 0 ? "Message" : char.ToUpperInvariant(message.Role.Value[0]) + message.Role.Value[1..];
        writer.WriteLine($"## {role}{(stored.IsSummary ? " (summary of earlier conversation)" : string.Empty)}{(message.AuthorName is { } author ? $" · {author}" : string.Empty)}");
        writer.WriteLine();
        writer.WriteLine($"<sub>#{stored.Sequence} · `{stored.Id}` · {Stamp(stored.CreatedAt)}</sub>");
        writer.WriteLine();
        foreach (var content in message.Contents)
        {
            WriteContent(writer, content);
        }
    }

    public static void WriteToolEvents(TextWriter writer, IReadOnlyList<StoredToolEvent> events)
    {
        if (events.Count == 0)
        {
            return;
        }

        writer.WriteLine("## Tool events");
        writer.WriteLine();
        writer.WriteLine("| # | tool | plugin | status | duration | changes | error |");
        writer.WriteLine("| --- | --- | --- | --- | --- | --- | --- |");
        foreach (var e in events)
        {
            var changes = string.Join(' ', new[] { e.DiffSummary }.Concat(e.Files).Where(s => !string.IsNullOrEmpty(s)));
            writer.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"| {e.Sequence} | `{e.Tool}` | {e.Plugin ?? string.Empty} | {e.Status.ToString().ToLowerInvariant()} | {e.DurationMs:0} ms | {Cell(changes)} | {Cell(e.Error ?? string.Empty)} |"));
        }

        writer.WriteLine();
    }

    private static void WriteContent(TextWriter writer, AIContent content)
    {
        switch (content)
        {
            case TextContent text:
                writer.WriteLine(text.Text);
                break;
            case TextReasoningContent reasoning when reasoning.Text.Length > 0:
                writer.WriteLine("<details><summary>Reasoning</summary>");
                writer.WriteLine();
                writer.WriteLine(reasoning.Text);
                writer.WriteLine();
                writer.WriteLine("</details>");
                break;
            case TextReasoningContent:
                return;
            case FunctionCallContent call:
                writer.WriteLine($"**Tool call** `{call.Name}` (`{call.CallId}`)");
                writer.WriteLine();
                Fenced(writer, "json", JsonSerializer.Serialize(call.Arguments ?? new Dictionary<string, object?>(), Indented));
                break;
            case FunctionResultContent result:
                writer.WriteLine($"**Tool result** (`{result.CallId}`)");
                writer.WriteLine();
                Fenced(writer, string.Empty, result.Result switch
                {
                    null => string.Empty,
                    string s => s,
                    JsonElement { ValueKind: JsonValueKind.String } s => s.GetString() ?? string.Empty,
                    var other => JsonSerializer.Serialize(other, Indented),
                });
                break;
            case DataContent data:
                writer.WriteLine($"*Attachment:* {data.Name ?? "(unnamed)"} ({data.MediaType}, {data.Data.Length} bytes)");
                break;
            case UriContent uri:
                writer.WriteLine($"*Attachment:* <{uri.Uri}> ({uri.MediaType})");
                break;
            case ErrorContent error:
                writer.WriteLine($"**Error:** {error.Message}");
                break;
            default:
                writer.WriteLine($"*{content.GetType().Name}*");
                break;
        }

        writer.WriteLine();
    }

    private static void Fenced(TextWriter writer, string language, string text)
    {
        var longest = 0;
        var run = 0;
        foreach (var c in text)
        {
            run = c == '`' ? run + 1 : 0;
            longest = Math.Max(longest, run);
        }

        var fence = new string('`', Math.Max(3, longest + 1));
        writer.WriteLine(fence + language);
        writer.WriteLine(text);
        writer.WriteLine(fence);
    }

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).ReplaceLineEndings(" ");

    private static string Stamp(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
