using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using AgentHost.Cli.Interaction;
using AgentHost.Hosting;
using AgentHost.Sessions;
using Microsoft.Extensions.AI;

namespace AgentHost.Cli.Commands;

/// <summary>Shared arguments, text and JSON shapes of the <c>agent session …</c> commands.</summary>
internal static class SessionFormatting
{
    /// <summary>The CLI's JSON output options (one definition for every command).</summary>
    public static JsonSerializerOptions Json => Rendering.PluginFormatting.Json;

    /// <summary>The project whose sessions a command covers: the current project, or every workspace with <c>--all</c>.</summary>
    public static string? WorkspaceFilter(CliContext context, ParseResult parseResult, Option<bool> all) =>
        parseResult.GetValue(all) ? null : context.Configuration(parseResult).ProjectRoot;

    public static Argument<string> IdArgument() => new("id") { Description = "A session id, a unique prefix of one, or a session's name (see 'agent session list')." };

    public static Option<bool> JsonOption() => new("--json") { Description = "Print JSON." };

    /// <summary>Opens the store and resolves an id or prefix.</summary>
    public static async Task<(ISessionStore Store, string Id)> ResolveAsync(CliContext context, string idOrPrefix, CancellationToken cancellationToken)
    {
        var store = await context.OpenSessionStoreAsync(cancellationToken).ConfigureAwait(false);
        return (store, await store.ResolveIdAsync(idOrPrefix, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Refuses (never prompts) when no one can answer and --yes was not given; otherwise asks.</summary>
    public static bool Confirm(IConsoleInteraction console, bool yes, string question, string refusal)
    {
        if (yes)
        {
            return true;
        }

        if (!console.IsInteractive)
        {
            throw new AgentHostException(ErrorKind.Usage, $"{refusal}: confirmation is needed but no one can answer (not a terminal, or CI is set). Pass --yes. Nothing was changed.");
        }

        return console.Confirm(question, defaultAnswer: false);
    }

    /// <summary>Parses an age such as <c>30d</c>, <c>12h</c> or <c>90m</c>.</summary>
    public static TimeSpan ParseAge(string text)
    {
        var trimmed = text.Trim().ToLowerInvariant();
        if (trimmed.Length >= 2
            && int.TryParse(trimmed[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var amount)
            && trimmed[^1] is 'd' or 'h' or 'm')
        {
            return trimmed[^1] switch
            {
                'd' => TimeSpan.FromDays(amount),
                'h' => TimeSpan.FromHours(amount),
                _ => TimeSpan.FromMinutes(amount),
            };
        }

        throw new AgentHostException(ErrorKind.Usage, $"'{text}' is not an age. Write a number of days or hours, e.g. 30d or 12h.");
    }

    public static string Stamp(DateTimeOffset time) => time.ToLocalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    public static string Status(SessionInfo session) => session.Status.ToString().ToLowerInvariant();

    public static string Title(SessionInfo session) => session.Title.Length > 0 ? session.Title : "(untitled)";

    public static string Cost(decimal? cost) => cost is { } dollars ? string.Create(CultureInfo.InvariantCulture, $"${dollars:0.0000}") : "-";

    public static object ToJson(SessionInfo session) => new
    {
        id = session.Id,
        name = session.Name,
        title = session.Title,
        workspace = session.Workspace,
        provider = session.Provider,
        model = session.Model,
        status = Status(session),
        createdAt = session.CreatedAt,
        updatedAt = session.UpdatedAt,
        parentId = session.ParentId,
        forkMessageId = session.ForkMessageId,
        usage = new { inputTokens = session.InputTokens, outputTokens = session.OutputTokens, cachedTokens = session.CachedTokens, reasoningTokens = session.ReasoningTokens, cost = session.Cost },
        messages = session.MessageCount,
        toolEvents = session.ToolEventCount,
        settings = session.Settings,
    };

    /// <summary>One line describing a message's contents.</summary>
    public static string Describe(ChatMessage message)
    {
        var parts = new List<string>();
        foreach (var content in message.Contents)
        {
            parts.Add(content switch
            {
                TextContent text => OneLine(text.Text),
                TextReasoningContent reasoning => "(reasoning) " + OneLine(reasoning.Text),
                FunctionCallContent call => $"call {call.Name} [{call.CallId}]",
                FunctionResultContent result => $"result [{result.CallId}] " + OneLine(result.Result?.ToString() ?? string.Empty),
                DataContent image when image.HasTopLevelMediaType("image") => AgentHost.Sessions.ImageFormats.Describe(image.Name, image.MediaType, image.Data.Length),
                DataContent data => $"attachment {data.Name ?? data.MediaType}",
                UriContent uri => $"attachment {uri.Uri}",
                _ => content.GetType().Name,
            });
        }

        return string.Join(" | ", parts.Where(p => p.Length > 0));
    }

    /// <summary>The text on one line (whitespace runs collapsed), cut to <paramref name="max"/> characters.</summary>
    public static string OneLine(string text, int max = 100)
    {
        var line = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return line.Length <= max ? line : line[..(max - 1)] + "…";
    }
}
