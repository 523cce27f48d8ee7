using System.Text.Json;
using System.Text.Json.Nodes;

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

        var (request, reply) = await SlashAsync(session, AcpPromptContent.Of(blocks, session.Workspace, Method), cancellationToken).ConfigureAwait(false);
        if (request is null)
        {
            // A command answered without a turn (/mode, /model, an unknown one): its answer is the agent's message.
            await session.SendAsync(AcpUpdates.Chunk("agent_message_chunk", reply!), cancellationToken).ConfigureAwait(false);
            return new JsonObject { ["stopReason"] = "end_turn" };
        }

        var stopReason = await session.PromptAsync(request, cancellationToken).ConfigureAwait(false);
        await SendTitleAsync(session, cancellationToken).ConfigureAwait(false);
        return new JsonObject { ["stopReason"] = stopReason };
    }
}
