using Microsoft.Extensions.AI;

namespace AgentHost.Testing;

/// <summary>
/// A model that plays a script, one turn per model request: call tools (<see cref="CallTool"/>, with parallel calls
/// added by <see cref="AndCallTool"/>) or answer with text (<see cref="Reply"/>, which ends the run). Pass it to
/// <see cref="PluginTestHost.RunAsync"/>; the kernel's agent loop drives it like a real provider.
/// </summary>
/// <remarks>
/// Calls get the ids <c>call_&lt;turn&gt;_&lt;n&gt;</c> (1-based). Turns are consumed in order, across runs when the
/// same model is used again. A run that asks for more turns than the script has ends as
/// <see cref="Sdk.Events.RunOutcome.ProviderError"/> with a reason that says how many turns the script has. Build the
/// script before the run; reading <see cref="Requests"/> is thread-safe.
/// </remarks>
public sealed class ScriptedModel
{
    private readonly Lock _lock = new();
    private readonly List<ScriptedTurn> _turns = [];
    private readonly List<IReadOnlyList<ChatMessage>> _requests = [];
    private int _next;

    /// <summary>The next model turn calls <paramref name="name"/>.</summary>
    /// <param name="name">The tool name.</param>
    /// <param name="arguments">An anonymous object, a dictionary, or JSON text; <c>{}</c> when <see langword="null"/>.</param>
    /// <returns>This model, for chaining.</returns>
    public ScriptedModel CallTool(string name, object? arguments = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var call = new ScriptedCall(name, ToolArguments.ToDictionary(name, arguments));
        lock (_lock)
        {
            _turns.Add(new ScriptedTurn(null, [call]));
        }

        return this;
    }

    /// <summary>Adds a call to the turn of the previous <see cref="CallTool"/>: the model asks for both in one response.</summary>
    /// <param name="name">The tool name.</param>
    /// <param name="arguments">An anonymous object, a dictionary, or JSON text; <c>{}</c> when <see langword="null"/>.</param>
    /// <returns>This model, for chaining.</returns>
    /// <exception cref="InvalidOperationException">The previous turn is not a <see cref="CallTool"/> turn.</exception>
    public ScriptedModel AndCallTool(string name, object? arguments = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var call = new ScriptedCall(name, ToolArguments.ToDictionary(name, arguments));
        lock (_lock)
        {
            if (_turns.Count == 0 || _turns[^1].Text is not null)
            {
                throw new InvalidOperationException($"AndCallTool(\"{name}\") adds a parallel call to the previous CallTool turn, but the script {(_turns.Count == 0 ? "is empty" : "ends with a Reply")}. Start the turn with CallTool.");
            }

            _turns[^1].Calls.Add(call);
        }

        return this;
    }

    /// <summary>The next model turn answers with <paramref name="text"/> (streamed in chunks); the run completes.</summary>
    /// <param name="text">The final answer.</param>
    /// <returns>This model, for chaining.</returns>
    public ScriptedModel Reply(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        lock (_lock)
        {
            _turns.Add(new ScriptedTurn(text, []));
        }

        return this;
    }

    /// <summary>What the model received, per request (the conversation so far, system prompt first), in order.</summary>
    public IReadOnlyList<IReadOnlyList<ChatMessage>> Requests
    {
        get
        {
            lock (_lock)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>How many turns the script has.</summary>
    public int TurnCount
    {
        get
        {
            lock (_lock)
            {
                return _turns.Count;
            }
        }
    }

    /// <summary>The tool names the turns not yet played will call.</summary>
    internal IReadOnlyList<string> PendingToolNames()
    {
        lock (_lock)
        {
            return _turns.Skip(_next).SelectMany(t => t.Calls).Select(c => c.Name).Distinct(StringComparer.Ordinal).ToList();
        }
    }

    /// <summary>Records a request and returns the turn that answers it (1-based number), or throws when the script is exhausted.</summary>
    internal (int Number, ScriptedTurn Turn) Take(IReadOnlyList<ChatMessage> request)
    {
        lock (_lock)
        {
            _requests.Add(request);
            if (_next >= _turns.Count)
            {
                throw new InvalidOperationException(
                    $"the scripted model has no turn {_next + 1}: the script has {_turns.Count} turn{(_turns.Count == 1 ? string.Empty : "s")}. " +
                    "End the script with Reply(\"...\") so the run completes, or add the turns the run needs");
            }

            _next++;
            return (_next, _turns[_next - 1]);
        }
    }
}

/// <summary>One turn: a text answer, or tool calls.</summary>
internal sealed record ScriptedTurn(string? Text, List<ScriptedCall> Calls);

/// <summary>One scripted tool call.</summary>
internal sealed record ScriptedCall(string Name, IReadOnlyDictionary<string, object?> Arguments);
