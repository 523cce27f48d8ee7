using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using AgentHost.Server.Users;

namespace AgentHost.Server;

/// <summary>Prompts and runs: send (at once, or waiting for the answer), get and cancel a run, and answer permission requests and questions.</summary>
internal static class RunEndpoints
{
    public static void Map(RouteGroupBuilder v1, SessionHub hub, ISessionCalls calls)
    {
        v1.MapPost("/sessions/{id}/messages", async (string id, SendMessageRequest request, bool? wait, HttpContext http, CancellationToken ct) =>
        {
            var run = await calls.SendAsync(http.Caller(), id, request, ServerClients.Of(http), ct).ConfigureAwait(false);
            if (wait != true)
            {
                return (IResult)TypedResults.Accepted($"/v1/runs/{run.Id}", run);
            }

            // The blocking variant: the answer comes when the run ends. A client that goes away does not cancel the run.
            return TypedResults.Ok(await hub.WaitForEndAsync(http.Caller(), run, ct).ConfigureAwait(false));
        })
        .WithAccess(RouteAccess.Changes(RouteResource.Session, "id", "send prompts")).WithTags("messages").WithName("sendMessage")
        .WithSummary("Send a prompt: 202 with the run at once, or with wait=true 200 when the run has ended. 409 while the session runs another prompt (nothing is queued).")
        .Produces<RunView>(StatusCodes.Status202Accepted).Produces<RunView>(StatusCodes.Status200OK).ProducesApiErrors();

        var runs = v1.MapGroup("/runs").WithTags("runs");
        runs.MapGet("/{runId}", async (string runId, HttpContext http, CancellationToken ct) => TypedResults.Ok(await hub.GetRunAsync(http.Caller(), runId, ct).ConfigureAwait(false)))
            .WithAccess(RouteAccess.Reads(RouteResource.Run, "runId")).WithName("getRun").WithSummary("A run's state and, once it ended, its result (kept in the store: it answers after a restart; a run the server was running when it stopped reads as interrupted).").ProducesApiErrors();
        runs.MapPost("/{runId}/cancel", async (string runId, HttpContext http, CancellationToken ct) => TypedResults.Accepted($"/v1/runs/{runId}", await calls.CancelAsync(http.Caller(), runId, ct).ConfigureAwait(false)))
            .WithAccess(RouteAccess.Changes(RouteResource.Run, "runId", "cancel runs")).WithName("cancelRun").WithSummary("Cancel a run (as Ctrl+C does); it ends as cancelled, with the history valid.").Produces<RunView>(StatusCodes.Status202Accepted).ProducesApiErrors();

        var permissions = v1.MapGroup("/sessions/{id}/permissions").WithTags("permissions");
        permissions.MapGet("/", async (string id, HttpContext http, CancellationToken ct) =>
            TypedResults.Ok(await calls.PendingPermissionsAsync(http.Caller(), id, ct).ConfigureAwait(false)))
            .WithAccess(RouteAccess.Reads(RouteResource.Session, "id")).WithName("listPermissionRequests").WithSummary("The session's permission requests waiting for an answer.").ProducesApiErrors();
        permissions.MapPost("/{requestId}", async (string id, string requestId, PermissionAnswerRequest request, HttpContext http, CancellationToken ct) =>
        {
            await calls.AnswerPermissionAsync(http.Caller(), id, requestId, request, ct).ConfigureAwait(false);
            return TypedResults.NoContent();
        }).WithAccess(RouteAccess.Changes(RouteResource.Session, "id", "answer permission requests")).WithName("answerPermissionRequest").WithSummary("Answer a permission request: once, session, always, always-global, or deny with a reason. Deny rules still win.").ProducesApiErrors();

        var questions = v1.MapGroup("/sessions/{id}/questions").WithTags("questions");
        questions.MapGet("/", async (string id, HttpContext http, CancellationToken ct) =>
            TypedResults.Ok(await calls.PendingQuestionsAsync(http.Caller(), id, ct).ConfigureAwait(false)))
            .WithAccess(RouteAccess.Reads(RouteResource.Session, "id")).WithName("listQuestions").WithSummary("The session's questions for a person (the model's ask_user) waiting for an answer.").ProducesApiErrors();
        questions.MapPost("/{questionId}", async (string id, string questionId, QuestionAnswerRequest request, HttpContext http, CancellationToken ct) =>
        {
            await calls.AnswerQuestionAsync(http.Caller(), id, questionId, request, ct).ConfigureAwait(false);
            return TypedResults.NoContent();
        }).WithAccess(RouteAccess.Changes(RouteResource.Session, "id", "answer questions")).WithName("answerQuestion").WithSummary("Answer a question: any text, or one of its options (400 otherwise, and it stays waiting).").ProducesApiErrors();
    }
}
