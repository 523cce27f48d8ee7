using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using OpenAI.Chat;

namespace AgentHost.Plugins.OpenAI;

/// <summary>
/// Assembles streamed tool-call deltas into whole calls: keyed by the delta's <c>index</c>, with the id and name
/// from the first delta that has them and the argument text concatenated. A delta that repeats an index with a new
/// id starts a new call (some servers number every call 0).
/// </summary>
internal sealed class ToolCallAccumulator
{
    private readonly List<PendingCall> _calls = [];
    private readonly Dictionary<int, PendingCall> _byIndex = [];

    /// <summary>Whether any call has started.</summary>
    public bool HasCalls => _calls.Count > 0;

    /// <summary>Adds one delta.</summary>
    /// <param name="update">The delta.</param>
    public void Add(StreamingChatToolCallUpdate update)
    {
        var id = update.ToolCallId is { Length: > 0 } given ? given : null;
        if (!_byIndex.TryGetValue(update.Index, out var call) || (id is not null && call.Id is not null && call.Id != id))
        {
            call = new PendingCall();
            _byIndex[update.Index] = call;
            _calls.Add(call);
        }

        call.Id ??= id;
        call.Name ??= update.FunctionName is { Length: > 0 } name ? name : null;
        if (update.FunctionArgumentsUpdate is { } arguments && !arguments.IsEmpty)
        {
            call.Arguments.Append(arguments.ToString());
        }
    }

    /// <summary>The assembled calls, in the order they started. Unparseable arguments set <see cref="FunctionCallContent.Exception"/>.</summary>
    /// <param name="responseId">The response id, for ids the server left out.</param>
    /// <returns>The calls.</returns>
    public List<FunctionCallContent> Build(string? responseId) =>
        [.. _calls.Select((call, n) => ToContent(call.Id ?? $"call_{responseId ?? "0"}_{n}", call.Name ?? string.Empty, call.Arguments.ToString()))];

    /// <summary>A whole call from a non-streamed completion.</summary>
    /// <param name="call">The call.</param>
    /// <returns>The content.</returns>
    public static FunctionCallContent ToContent(ChatToolCall call) =>
        ToContent(call.Id, call.FunctionName, call.FunctionArguments?.ToString() ?? string.Empty);

    /// <summary>A whole call from its parts (also used for the Responses API's <c>function_call</c> items).</summary>
    /// <param name="id">The call id.</param>
    /// <param name="name">The function name.</param>
    /// <param name="arguments">The argument JSON; unparseable text sets <see cref="FunctionCallContent.Exception"/>.</param>
    /// <returns>The content.</returns>
    public static FunctionCallContent ToContent(string id, string name, string arguments) =>
        FunctionCallContent.CreateFromParsedArguments(string.IsNullOrWhiteSpace(arguments) ? "{}" : arguments, id, name, ParseArguments);

    private static Dictionary<string, object?> ParseArguments(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.ValueKind == JsonValueKind.Object
            ? document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value.Clone())
            : throw new JsonException($"tool arguments must be a JSON object, not {document.RootElement.ValueKind.ToString().ToUpperInvariant()}");
    }

    private sealed class PendingCall
    {
        public string? Id { get; set; }

        public string? Name { get; set; }

        public StringBuilder Arguments { get; } = new();
    }
}
