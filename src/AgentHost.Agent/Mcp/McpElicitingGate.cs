using System.Collections.Concurrent;
using System.Text.Json;
using AgentHost.Permissions;
using AgentHost.Permissions.Gate;
using AgentHost.Permissions.Rules;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace AgentHost.Agent.Mcp;

/// <summary>
/// The permission gate of <c>agent mcp serve</c>: the configured rules and mode decide; a call that would ask is put
/// to the connected client's user through MCP elicitation (<c>elicitation/create</c>: allow once, allow for this
/// server session, or deny) when that client declared the capability, and otherwise denied with the rule that would
/// allow it, as in every headless run. "For this server session" grants the narrowest rules that allow the call, for
/// the MCP session that answered only (another client connected to the same HTTP server is asked again).
/// </summary>
/// <remarks>
/// A headless serve runs in <c>dont-ask</c> mode unless told otherwise, where nothing asks; a call from a client that
/// can be asked is decided in <c>askingMode</c> instead (<c>ask</c> unless a mode was chosen), so what would ask there
/// is put to that client. Thread-safe. <see cref="McpToolServer"/> registers which MCP session made each call (<see cref="Enter"/>) so the
/// question goes to the client that made it. A client that does not answer (or fails) denies the call.
/// </remarks>
public sealed class McpElicitingGate(RulePermissionGate rules, PermissionMode askingMode, string workspaceRoot, string homeDirectory) : IToolPermissionGate
{
    /// <summary>The property of the elicitation form that holds the answer.</summary>
    public const string DecisionProperty = "decision";

    /// <summary>The answer that allows this call only.</summary>
    public const string AllowOnce = "allow_once";

    /// <summary>The answer that allows this call and calls like it for the rest of the MCP session.</summary>
    public const string AllowForSession = "allow_session";

    /// <summary>The answer that denies the call.</summary>
    public const string DenyAnswer = "deny";

    private readonly ConcurrentDictionary<string, McpServer> _callers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SessionGrants> _grants = new(StringComparer.Ordinal);

    /// <summary>Forgets the grants of an ended MCP session.</summary>
    /// <param name="sessionId">The session's id.</param>
    public void EndSession(string sessionId) => _grants.TryRemove(sessionId, out _);

    /// <summary>Records that <paramref name="server"/>'s client made the call <paramref name="callId"/> until the result is disposed.</summary>
    /// <param name="callId">The pipeline's call id.</param>
    /// <param name="server">The MCP session the call came from.</param>
    /// <returns>Disposing it forgets the call.</returns>
    public IDisposable Enter(string callId, McpServer server)
    {
        _callers[callId] = server;
        return new Registration(this, callId);
    }

    /// <inheritdoc />
    public async ValueTask<PermissionVerdict> DecideAsync(ToolPermissionRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        if (!_callers.TryGetValue(request.CallId, out var server) || server.ClientCapabilities?.Elicitation is null)
        {
            return RulePermissionGate.ToVerdict(rules.Decide(request));
        }

        var decision = rules.Decide(request, askingMode);
        if (decision.Verdict != Verdict.Ask)
        {
            return RulePermissionGate.ToVerdict(decision);
        }

        // Keyed by the MCP session id (a request's McpServer is bound to the request, not the session); stdio has one session.
        var grants = _grants.GetOrAdd(server.SessionId ?? string.Empty, _ => new SessionGrants(workspaceRoot, homeDirectory));
        if (grants.Covers(request, decision, out var grant))
        {
            return Answered(true, $"allowed for this MCP session ({grant})", "session");
        }

        string answer;
        try
        {
            answer = await AskAsync(server, request, decision, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return RulePermissionGate.ToVerdict(decision) with { Reason = $"needs approval: {decision.Reason}, and the MCP client could not be asked ({e.Message})" };
        }

        switch (answer)
        {
            case AllowOnce:
                return Answered(true, "allowed once by the MCP client's user", "once");
            case AllowForSession:
                var rulesAdded = DenialAdvice.RulesThatAllow(decision);
                grants.Add(rulesAdded);
                return Answered(true, rulesAdded.Count > 0 ? $"allowed for this MCP session by the MCP client's user ({string.Join(", ", rulesAdded)})" : "allowed by the MCP client's user", "session");
            default:
                return RulePermissionGate.ToVerdict(decision) with
                {
                    Reason = $"denied by the MCP client's user ({answer}): {decision.Reason}",
                    Scope = "once",
                    AnsweredBy = "elicitation",
                };
        }
    }

    /// <summary>The question put to the client: what the call does and the three choices.</summary>
    /// <param name="request">The call.</param>
    /// <param name="decision">Why it asks.</param>
    /// <returns>The elicitation request.</returns>
    public static ElicitRequestParams Question(ToolPermissionRequest request, PermissionDecision decision)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(decision);
        var what = request.Description.Subject is { Length: > 0 } subject ? $"{request.Description.Action}: {subject}" : request.Description.Action;
        return new ElicitRequestParams
        {
            Message = $"The agent's tool '{request.Tool}' (plugin {request.Plugin}) wants to run — {what}. It needs approval: {decision.Reason}.",
            RequestedSchema = new ElicitRequestParams.RequestSchema
            {
                Properties = new Dictionary<string, ElicitRequestParams.PrimitiveSchemaDefinition>
                {
                    [DecisionProperty] = new ElicitRequestParams.TitledSingleSelectEnumSchema
                    {
                        Title = $"Allow {request.Tool}?",
                        OneOf =
                        [
                            new ElicitRequestParams.EnumSchemaOption { Const = AllowOnce, Title = "Allow once" },
                            new ElicitRequestParams.EnumSchemaOption { Const = AllowForSession, Title = "Allow for this server session" },
                            new ElicitRequestParams.EnumSchemaOption { Const = DenyAnswer, Title = "Deny" },
                        ],
                        Default = DenyAnswer,
                    },
                },
                Required = [DecisionProperty],
            },
        };
    }

    private static async Task<string> AskAsync(McpServer server, ToolPermissionRequest request, PermissionDecision decision, CancellationToken cancellationToken)
    {
        var result = await server.ElicitAsync(Question(request, decision), cancellationToken).ConfigureAwait(false);
        if (!result.IsAccepted)
        {
            return result.Action;
        }

        return result.Content is { } content && content.TryGetValue(DecisionProperty, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString() ?? DenyAnswer
            : DenyAnswer;
    }

    private static PermissionVerdict Answered(bool allowed, string reason, string scope) =>
        new(allowed, reason) { Scope = scope, AnsweredBy = "elicitation" };

    private sealed class Registration(McpElicitingGate gate, string callId) : IDisposable
    {
        public void Dispose() => gate._callers.TryRemove(callId, out _);
    }
}
