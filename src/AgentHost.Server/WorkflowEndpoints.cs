using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using AgentHost.Server.Users;

namespace AgentHost.Server;

/// <summary>Workflow runs: start one in the background, list and get runs, answer a run's pending question.</summary>
internal static class WorkflowEndpoints
{
    public static void Map(RouteGroupBuilder v1, ServerWorkflows workflows)
    {
        var runs = v1.MapGroup("/workflows/runs").WithTags("workflows");
        runs.AddEndpointFilter((context, next) =>
        {
            SessionAccess.CheckAdmin(context.HttpContext.Caller(), "start, see and answer workflow runs", "workflow runs have no owner yet, so only admins see them");
            return next(context);
        });
        runs.MapPost("/", async (StartWorkflowRunRequest request, HttpContext http, CancellationToken ct) =>
        {
            var run = await workflows.StartAsync(http.Caller(), request, ct).ConfigureAwait(false);
            return TypedResults.Accepted($"/v1/workflows/runs/{run.Id}", run);
        })
        .WithName("startWorkflowRun")
        .WithSummary("Start a workflow run in the background: 202 with the run once it is stored; 400 (nothing runs) for an unknown or invalid workflow or bad inputs.")
        .Produces<WorkflowRunView>(StatusCodes.Status202Accepted).ProducesApiErrors();
        runs.MapGet("/", async (string? root, int? limit, CancellationToken ct) => TypedResults.Ok(await workflows.ListAsync(root, limit, ct).ConfigureAwait(false)))
            .WithName("listWorkflowRuns").WithSummary("The workflow runs of a root (the server's by default), newest first.").ProducesApiErrors();
        runs.MapGet("/{id}", async (string id, CancellationToken ct) => TypedResults.Ok(await workflows.GetAsync(id, ct).ConfigureAwait(false)))
            .WithName("getWorkflowRun").WithSummary("A workflow run: status, output, reason, and the question it waits on.").ProducesApiErrors();
        runs.MapPost("/{id}/answer", async (string id, WorkflowAnswerRequest request, CancellationToken ct) =>
            TypedResults.Accepted($"/v1/workflows/runs/{id}", await workflows.AnswerAsync(id, request, ct).ConfigureAwait(false)))
            .WithName("answerWorkflowRun")
            .WithSummary("Answer the run's pending question (a wait node); a run stored as waiting is resumed with the answer. 400 for an answer not among the options.")
            .Produces<WorkflowRunView>(StatusCodes.Status202Accepted).ProducesApiErrors();
    }
}
