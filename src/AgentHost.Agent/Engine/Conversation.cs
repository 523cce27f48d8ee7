using System.Text.Json;
using AgentHost.Agent.Tools;
using Microsoft.Extensions.AI;

namespace AgentHost.Agent.Engine;

/// <summary>
/// The messages of one run with a running token estimate: the provider's reported prompt and completion tokens of
/// the last step plus about <c>1 / charactersPerToken</c> tokens per character added since; characters only (tool
/// schemas included) until the provider reports usage. Adding a message costs its own size, never a re-scan.
/// </summary>
/// <remarks>Not thread-safe; owned by one run.</remarks>
internal sealed class Conversation
{
    private const int MessageOverheadCharacters = 16;
    private const int AttachmentCharacters = 4000;
    private readonly List<ChatMessage> _messages = [];
    private readonly List<long> _characters = [];
    private readonly int _charactersPerToken;
    private readonly long _fixedCharacters;
    private long _totalCharacters;
    private long? _reportedTokens;
    private long _charactersAtReport;

    public Conversation(int charactersPerToken, long fixedCharacters)
    {
        _charactersPerToken = Math.Max(1, charactersPerToken);
        _fixedCharacters = fixedCharacters;
    }

    public IReadOnlyList<ChatMessage> Messages => _messages;

    public int Count => _messages.Count;

    /// <summary>The index of the first message that is not the system prompt.</summary>
    public int FirstMessageIndex => _messages.Count > 0 && _messages[0].Role == ChatRole.System ? 1 : 0;

    public long EstimatedTokens => _reportedTokens is { } reported
        ? reported + ((_totalCharacters - _charactersAtReport) / _charactersPerToken)
        : (_totalCharacters + _fixedCharacters) / _charactersPerToken;

    public void Add(ChatMessage message)
    {
        var characters = CharactersOf(message);
        _messages.Add(message);
        _characters.Add(characters);
        _totalCharacters += characters;
    }

    public long CharactersAt(int index) => _characters[index];

    /// <summary>Takes the provider's count for the prompt just sent plus its answer as the new baseline.</summary>
    public void ReportUsage(UsageDetails? usage)
    {
        if (usage?.InputTokenCount is { } input && input > 0)
        {
            _reportedTokens = input + (usage.OutputTokenCount ?? 0);
            _charactersAtReport = _totalCharacters;
        }
    }

    /// <summary>Replaces the messages from <see cref="FirstMessageIndex"/> up to <paramref name="cut"/> with <paramref name="summary"/>.</summary>
    public void ReplaceOlder(int cut, ChatMessage summary)
    {
        var first = FirstMessageIndex;
        _messages.RemoveRange(first, cut - first);
        _characters.RemoveRange(first, cut - first);
        _messages.Insert(first, summary);
        _characters.Insert(first, CharactersOf(summary));
        _totalCharacters = _characters.Sum();
        _reportedTokens = null;
    }

    public ChatMessage[] Snapshot() => [.. _messages];

    internal static long CharactersOf(ChatMessage message)
    {
        long total = MessageOverheadCharacters;
        foreach (var content in message.Contents)
        {
            total += content switch
            {
                TextContent text => text.Text.Length,
                TextReasoningContent reasoning => reasoning.Text.Length,
                FunctionCallContent call => call.Name.Length + ArgumentCharacters(call),
                FunctionResultContent result => ToolJson.ResultToText(result.Result).Length,
                DataContent => AttachmentCharacters,
                UriContent uri => uri.Uri.OriginalString.Length,
                _ => 0,
            };
        }

        return total;
    }

    private static long ArgumentCharacters(FunctionCallContent call)
    {
        if (call.Arguments is null || call.Arguments.Count == 0)
        {
            return 2;
        }

        try
        {
            return JsonSerializer.Serialize(call.Arguments, ToolJson.Compact).Length;
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException)
        {
            return 0;
        }
    }
}
