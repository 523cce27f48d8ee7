using AgentHost.Hosting;
using AgentHost.Server.Users;
using AgentHost.Sessions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace AgentHost.Server;

/// <summary>What a route reads or changes, as the one authorization step (<see cref="RouteAuthorization"/>) checks it.</summary>
internal enum RouteResource
{
    /// <summary>Nothing of one user's: any authenticated caller may use it (a change: not a viewer).</summary>
    None,

    /// <summary>A session, named by a route value or query parameter.</summary>
    Session,

    /// <summary>A session's run (<c>/v1/runs/{runId}</c>).</summary>
    Run,

    /// <summary>A workflow run (<c>/v1/workflows/runs/{id}</c>).</summary>
    WorkflowRun,
}

/// <summary>
/// Endpoint metadata: the resource a route touches and whether it changes it (docs/server.md "Every route checks the
/// caller"). Every endpoint of the API carries this or <see cref="AdminOnly"/>; one that carries neither is refused to
/// everyone but admins, so that a new endpoint is never open by omission.
/// </summary>
/// <param name="Resource">What the route touches.</param>
/// <param name="Parameter">The route value or query parameter naming it (a query parameter may be left out: the route then touches nothing of one user's).</param>
/// <param name="Change">What the route changes, for a viewer's 403 (e.g. <c>send a prompt</c>); <see langword="null"/> for a read.</param>
internal sealed record RouteAccess(RouteResource Resource, string? Parameter, string? Change)
{
    /// <summary>A read any caller may make (their own view of it: a list filtered for them, the server's health).</summary>
    public static RouteAccess AnyCaller { get; } = new(RouteResource.None, null, null);

    /// <summary>A change of nothing that exists yet (create a session, start a workflow run): not for viewers.</summary>
    public static RouteAccess Creates(string what) => new(RouteResource.None, null, what);

    /// <summary>Reads the resource <paramref name="parameter"/> names: its 404 for a caller who may not see it.</summary>
    public static RouteAccess Reads(RouteResource resource, string parameter) => new(resource, parameter, null);

    /// <summary>Changes the resource <paramref name="parameter"/> names: its 404 as for a read, then 403 for a viewer.</summary>
    public static RouteAccess Changes(RouteResource resource, string parameter, string what) => new(resource, parameter, what);

    /// <summary>How the access is named in the OpenAPI document (<c>x-access</c>).</summary>
    public string Name => (Resource, Change) switch
    {
        (RouteResource.None, null) => "any",
        (RouteResource.None, _) => "create",
        (var resource, null) => "read:" + ResourceName(resource),
        (var resource, _) => "change:" + ResourceName(resource),
    };

    private static string ResourceName(RouteResource resource) => resource switch
    {
        RouteResource.Session => "session",
        RouteResource.Run => "run",
        _ => "workflow-run",
    };
}

/// <summary>Marks endpoints with their <see cref="RouteAccess"/>.</summary>
internal static class RouteAccessExtensions
{
    /// <summary>Records what the endpoint touches, for <see cref="RouteAuthorization"/>.</summary>
    public static TBuilder WithAccess<TBuilder>(this TBuilder builder, RouteAccess access)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(access);
}

/// <summary>
/// The one authorization step in front of every route (a middleware after authentication and routing, so that it also
/// holds for endpoints mapped with a bare request delegate): given the caller and the endpoint's
/// <see cref="RouteAccess"/> or <see cref="AdminOnly"/>, it answers 403 (admins only; a viewer's change) or the
/// resource's one 404 (no such resource, or not the caller's) before the endpoint runs or reads its body. An endpoint
/// with neither is refused to everyone but admins.
/// </summary>
/// <param name="hub">The sessions (their owners) and runs.</param>
/// <param name="workflows">The workflow runs (their owners).</param>
internal sealed class RouteAuthorization(SessionHub hub, ServerWorkflows workflows)
{
    /// <summary>The middleware.</summary>
    public async Task CheckAsync(HttpContext context, RequestDelegate next)
    {
        if (context.GetEndpoint() is not { } endpoint)
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var caller = context.Caller();
        if (endpoint.Metadata.GetMetadata<AdminOnly>() is { } only)
        {
            if (caller.Role != ServerRole.Admin)
            {
                throw new AgentHostException(ErrorKind.Denied, $"user '{caller.Name}' is a {UserNames.RoleName(caller.Role)}; only admins may {only.What} ({only.Why}).");
            }
        }
        else if (endpoint.Metadata.GetMetadata<RouteAccess>() is { } access)
        {
            await CheckAsync(context, caller, access).ConfigureAwait(false);
        }
        else if (caller.Role != ServerRole.Admin)
        {
            throw new AgentHostException(ErrorKind.Denied, $"user '{caller.Name}' is a {UserNames.RoleName(caller.Role)}; {context.Request.Method} {context.Request.Path} declares no access rule, so only admins may use it (a server bug: report it).");
        }

        await next(context).ConfigureAwait(false);
    }

    private async Task CheckAsync(HttpContext context, ServerCaller caller, RouteAccess access)
    {
        var id = access.Parameter is not { } name ? null
            : context.Request.RouteValues.TryGetValue(name, out var value) && value is string fromRoute ? fromRoute
            : context.Request.Query[name].FirstOrDefault();
        if (access.Resource != RouteResource.None && !string.IsNullOrEmpty(id))
        {
            // Each answers a resource the caller may not see exactly as one that does not exist: its one 404.
            var ct = context.RequestAborted;
            await (access.Resource switch
            {
                RouteResource.Session => (Task)hub.GetInfoAsync(caller, id, ct),
                RouteResource.Run => hub.GetRunAsync(caller, id, ct),
                _ => workflows.CheckVisibleAsync(caller, id, ct),
            }).ConfigureAwait(false);
        }

        if (access.Change is { } what)
        {
            SessionAccess.CheckCanChange(caller, what);
        }
    }
}
