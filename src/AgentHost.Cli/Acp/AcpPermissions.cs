using System.Text.Json;
using System.Text.Json.Nodes;
using AgentHost.Permissions.Gate;
using AgentHost.Sdk.Events;

namespace AgentHost.Cli.Acp;

/// <summary>
/// How a permission request becomes ACP's <c>session/request_permission</c> and how the editor's answer comes back as
/// the broker's <see cref="PermissionAnswer"/>: <c>allow_once</c> allows this call; <c>allow_always</c> is the chat's
/// "always allow in this project" (the suggested rules are written to the project's <c>.agent/config.yaml</c>);
/// <c>reject_once</c> denies; <c>reject_always</c> denies and denies the same rules without asking for as long as the
/// session is open in this process; a <c>cancelled</c> outcome (the turn was cancelled) denies. docs/acp.md.
/// </summary>
internal static class AcpPermissions
{
    /// <summary>The name recorded as who answered (the audit log, the session's grants).</summary>
    public const string Responder = "acp";

    /// <summary>
    /// How long a request waits for the editor's answer before it is denied, as <c>agent serve</c>'s
    /// <c>server.permission_timeout</c> default: a client that never answers never holds a turn for ever.
    /// </summary>
    public static readonly TimeSpan AnswerTimeout = TimeSpan.FromMinutes(5);

    /// <summary>The params of <c>session/request_permission</c> for <paramref name="request"/>.</summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="request">The broker's request.</param>
    /// <param name="toolCall">The <c>tool_call</c> already sent for the call (title, kind, raw input), or null.</param>
    public static JsonObject Params(string sessionId, PermissionRequestedEvent request, JsonObject? toolCall)
    {
        var call = new JsonObject
        {
            ["toolCallId"] = request.CallId,
            ["title"] = toolCall?["title"]?.GetValue<string>() ?? request.Tool,
            ["kind"] = toolCall?["kind"]?.GetValue<string>() ?? AcpToolCalls.KindOf(request.Tool),
            ["status"] = "pending",
        };
        if (toolCall?["rawInput"] is { } rawInput)
        {
            call["rawInput"] = rawInput.DeepClone();
        }

        if (toolCall?["locations"] is JsonArray { Count: > 0 } locations)
        {
            call["locations"] = locations.DeepClone();
        }

        var why = request.Subject is { Length: > 0 } subject ? $"{request.Action}: {subject} ({request.Reason})" : $"{request.Action} ({request.Reason})";
        var rules = string.Join(", ", request.SuggestedRules);
        var options = new JsonArray { Option("allow_once", "Allow once") };
        if (request.SuggestedRules.Count > 0)
        {
            options.Add(Option("allow_always", $"Always allow in this project ({rules})"));
        }

        options.Add(Option("reject_once", "Reject"));
        if (request.SuggestedRules.Count > 0)
        {
            options.Add(Option("reject_always", $"Reject, and reject {rules} for the rest of this session"));
        }

        return new JsonObject
        {
            ["sessionId"] = sessionId,
            ["toolCall"] = call,
            ["options"] = options,
            ["_meta"] = new JsonObject { ["agenthost"] = new JsonObject { ["reason"] = why, ["risk"] = request.Risk, ["rules"] = new JsonArray([.. request.SuggestedRules.Select(r => (JsonNode?)r)]) } },
        };
    }

    /// <summary>The answer the editor's <c>RequestPermissionResponse</c> gives (a malformed one denies, saying why).</summary>
    /// <param name="response">The client's result.</param>
    /// <param name="rememberDenial">Whether the editor chose <c>reject_always</c>.</param>
    public static PermissionAnswer AnswerOf(JsonElement response, out bool rememberDenial)
    {
        rememberDenial = false;
        var outcome = response.ValueKind == JsonValueKind.Object && response.TryGetProperty("outcome", out var o) && o.ValueKind == JsonValueKind.Object ? o : default;
        var kind = outcome.ValueKind == JsonValueKind.Object && outcome.TryGetProperty("outcome", out var k) && k.ValueKind == JsonValueKind.String ? k.GetString() : null;
        if (kind == "cancelled")
        {
            return Deny("the turn was cancelled in the editor");
        }

        var option = kind == "selected" && outcome.TryGetProperty("optionId", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null;
        switch (option)
        {
            case "allow_once":
                return new PermissionAnswer(PermissionAnswerKind.AllowOnce, Responder);
            case "allow_always":
                return new PermissionAnswer(PermissionAnswerKind.AlwaysProject, Responder);
            case "reject_once":
                return new PermissionAnswer(PermissionAnswerKind.Deny, Responder);
            case "reject_always":
                rememberDenial = true;
                return new PermissionAnswer(PermissionAnswerKind.Deny, Responder) { Reason = "the user rejects these calls for the rest of the session" };
            default:
                return Deny($"the editor's answer was not one of the offered options ({(option is null ? response.GetRawText() : "'" + option + "'")})");
        }
    }

    /// <summary>A deny answer with its reason (the model receives it).</summary>
    public static PermissionAnswer Deny(string reason) => new(PermissionAnswerKind.Deny, Responder) { Reason = reason };

    private static JsonObject Option(string kind, string name) => new() { ["optionId"] = kind, ["name"] = name, ["kind"] = kind };
}
