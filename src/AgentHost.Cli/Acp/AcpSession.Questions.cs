using System.Text.Json;
using System.Text.Json.Nodes;
using AgentHost.Common.JsonRpc;
using AgentHost.Sdk.Events;

namespace AgentHost.Cli.Acp;

/// <content>
/// <c>ask_user</c> questions through the editor's form elicitation (<c>elicitation/create</c>, form mode), when the
/// client announced it: one field, <c>answer</c> (a choice when the question has options). Declined, dismissed or
/// unanswered, the question ends without an answer and the model is told why.
/// </content>
internal sealed partial class AcpSession
{
    /// <summary>Whether the client answers form elicitations (questions go to it; otherwise they end unanswered at once).</summary>
    public bool Elicit { get; init; }

    /// <summary>The params of <c>elicitation/create</c> for <paramref name="question"/>.</summary>
    public static JsonObject ElicitationParams(string sessionId, QuestionAskedEvent question)
    {
        var answer = new JsonObject { ["type"] = "string", ["title"] = "Answer" };
        if (question.Options.Count > 0)
        {
            answer["enum"] = new JsonArray([.. question.Options.Select(o => (JsonNode?)o)]);
        }

        return new JsonObject
        {
            ["sessionId"] = sessionId,
            ["mode"] = "form",
            ["message"] = question.Text,
            ["requestedSchema"] = new JsonObject
            {
                ["type"] = "object",
                ["properties"] = new JsonObject { ["answer"] = answer },
                ["required"] = new JsonArray("answer"),
            },
        };
    }

    private async Task ElicitAsync(QuestionAskedEvent question)
    {
        var questions = Root.Root.Service.Questions;
        string why;
        try
        {
            var response = await Request!("elicitation/create", ElicitationParams(Id, question), CancellationToken.None).ConfigureAwait(false);
            var action = response.ValueKind == JsonValueKind.Object && response.TryGetProperty("action", out var a) && a.ValueKind == JsonValueKind.String ? a.GetString() : null;
            if (action == "accept" && response.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.Object
                && content.TryGetProperty("answer", out var given) && given.ValueKind == JsonValueKind.String)
            {
                if (Session.AnswerQuestion(question.QuestionId, given.GetString()!, AcpPermissions.Responder, out var refusal) || refusal is null)
                {
                    return;
                }

                why = $"the editor's answer was refused: {refusal}";
            }
            else
            {
                why = action switch
                {
                    "decline" => "the user declined to answer",
                    "cancel" => "the user dismissed the question",
                    _ => $"the editor's answer had no 'answer' ({response.GetRawText()})",
                };
            }
        }
        catch (JsonRpcConnectionClosedException)
        {
            why = "the editor went away before answering";
        }
        catch (JsonRpcException ex)
        {
            why = $"the editor answered elicitation/create with an error: {ex.Message}";
        }

        questions.TryDecline(question.QuestionId, AcpPermissions.Responder, why);
    }
}
