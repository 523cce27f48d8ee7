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
        // Runs belong to the user who started them, as sessions do: a member sees and answers their own, a viewer reads
        // every run, an admin does anything (docs/server.md "Users and roles").
        var runs = v1.MapGroup("/workflows/runs").WithTags("workflows");
        runs.MapPost("/", async (StartWorkflowRunRequest request, HttpContext http, CancellationToken ct) =>
        {
            var run = await workflows.StartAsync(http.Caller(), request, ct).ConfigureAwait(false);
            return TypedResults.Accepted($"/v1/workflows/runs/{run.Id}", run);
        })
        .WithAccess(RouteAccess.Creates("start workflow runs")).WithName("startWorkflowRun")
        .WithSummary("Start a workflow run in the background: 202 with the run once it is stored; 400 (nothing runs) for an unknown or invalid workflow or bad inputs.")
        .Produces<WorkflowRunView>(StatusCodes.Status202Accepted).ProducesApiErrors();
        runs.MapGet("/", async (string? root, int? limit, HttpContext http, CancellationToken ct) => TypedResults.Ok(await workflows.ListAsync(http.Caller(), root, limit, ct).ConfigureAwait(false)))
            .WithAccess(RouteAccess.AnyCaller).WithName("listWorkflowRuns").WithSummary("The workflow runs of a root (the server's by default) that the caller may see, newest first.").ProducesApiErrors();
        runs.MapGet("/{id}", async (string id, HttpContext http, CancellationToken ct) => TypedResults.Ok(await workflows.GetAsync(http.Caller(), id, ct).ConfigureAwait(false)))
            .WithAccess(RouteAccess.Reads(RouteResource.WorkflowRun, "id")).WithName("getWorkflowRun").WithSummary("A workflow run: status, output, reason, and the question it waits on (404 for a run of another member).").ProducesApiErrors();
        runs.MapPost("/{id}/answer", async (string id, WorkflowAnswerRequest request, HttpContext http, CancellationToken ct) =>
            TypedResults.Accepted($"/v1/workflows/runs/{id}", await workflows.AnswerAsync(http.Caller(), id, request, ct).ConfigureAwait(false)))
            .WithAccess(RouteAccess.Changes(RouteResource.WorkflowRun, "id", "answer workflow runs")).WithName("answerWorkflowRun")
            .WithSummary("Answer the run's pending question (a wait node); a run stored as waiting is resumed with the answer. 400 for an answer not among the options.")
            .Produces<WorkflowRunView>(StatusCodes.Status202Accepted).ProducesApiErrors();
    }
}
