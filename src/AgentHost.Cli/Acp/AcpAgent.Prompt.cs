using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentHost.Agent.Service;

namespace AgentHost.Cli.Acp;

/// <content>Prompt turns.</content>
internal sealed partial class AcpAgent
{
    /// <summary>
    /// <c>session/prompt</c>: runs a turn of the session with the prompt's content; its output streams as
    /// <c>session/update</c>s and the answer is the stop reason, sent after the last update.
    /// </summary>
    private async Task<JsonNode?> PromptAsync(JsonElement parameters, CancellationToken cancellationToken)
    {
        const string Method = "session/prompt";
        parameters = AcpParams.Object(parameters, Method);
        var id = AcpParams.RequiredString(parameters, "sessionId", Method);
        var blocks = AcpParams.RequiredArray(parameters, "prompt", Method);
        if (!_sessions.TryGetValue(id, out var session))
        {
            throw AcpErrors.UnknownSession(id);
        }

        var (request, reply) = await SlashAsync(session, PromptOf(blocks, Method), cancellationToken).ConfigureAwait(false);
        if (request is null)
        {
            // A command answered without a turn (/mode, /model, an unknown one): its answer is the agent's message.
            await session.SendAsync(AcpUpdates.Chunk("agent_message_chunk", reply!), cancellationToken).ConfigureAwait(false);
            return new JsonObject { ["stopReason"] = "end_turn" };
        }

        var stopReason = await session.PromptAsync(request, cancellationToken).ConfigureAwait(false);
        return new JsonObject { ["stopReason"] = stopReason };
    }

    /// <summary>The turn a prompt's content blocks ask for.</summary>
    private static TurnRequest PromptOf(JsonElement blocks, string method)
    {
        var text = new StringBuilder();
        var index = 0;
        foreach (var block in blocks.EnumerateArray())
        {
            var type = block.ValueKind == JsonValueKind.Object && block.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            switch (type)
            {
                case "text":
                    text.Append(AcpParams.RequiredString(block, "text", $"{method}: prompt[{index}]"));
                    break;
                default:
                    throw AcpErrors.InvalidParams($"{method}: prompt[{index}] is a '{type ?? "(no type)"}' block; this agent takes text blocks.");
            }

            index++;
        }

        return text.Length > 0
            ? new TurnRequest(text.ToString())
            : throw AcpErrors.InvalidParams($"{method}: the prompt has no text.");
    }
}
