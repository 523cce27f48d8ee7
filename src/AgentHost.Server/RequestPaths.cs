using AgentHost.Hosting;
using Microsoft.AspNetCore.Http;

namespace AgentHost.Server;

/// <summary>
/// The one check of the paths a request carries (a body's <c>root</c>, <c>workflow</c> and <c>plugins</c>, a query's
/// <c>root</c>), run as an endpoint filter on every <c>/v1</c> route before its handler: a path no file system can hold
/// (a NUL character) is a 400 naming the field, never an exception deep in the server (a 500).
/// </summary>
internal static class RequestPaths
{
    /// <summary>The query parameters (and handler parameters) that carry a path.</summary>
    private static readonly HashSet<string> PathParameters = new(StringComparer.Ordinal) { "root" };

    /// <summary>The endpoint filter factory: checks the paths among the handler's arguments.</summary>
    public static EndpointFilterDelegate Filter(EndpointFilterFactoryContext factory, EndpointFilterDelegate next)
    {
        var parameters = factory.MethodInfo.GetParameters();
        return context =>
        {
            for (var i = 0; i < parameters.Length && i < context.Arguments.Count; i++)
            {
                foreach (var (field, value) in PathsOf(parameters[i].Name, context.Arguments[i]))
                {
                    Check(field, value);
                }
            }

            return next(context);
        };
    }

    /// <summary>Refuses a path no file system can hold (400, naming the field).</summary>
    /// <param name="field">The field or parameter, as the client wrote it (<c>root</c>, <c>plugins[1]</c>).</param>
    /// <param name="value">Its value.</param>
    public static void Check(string field, string? value)
    {
        if (value is not null && value.Contains('\0', StringComparison.Ordinal))
        {
            throw new AgentHostException(ErrorKind.Usage, $"{field}: the path contains a NUL character (\\u0000), which no path may hold; send the path without it.");
        }
    }

    private static IEnumerable<(string Field, string? Value)> PathsOf(string? name, object? argument) => argument switch
    {
        string text when name is not null && PathParameters.Contains(name) => [(name, text)],
        CreateSessionRequest create => [("root", create.Root), .. (create.Plugins ?? []).Select((p, i) => ($"plugins[{i}]", (string?)p))],
        StartWorkflowRunRequest start => [("workflow", start.Workflow), ("root", start.Root)],
        _ => [],
    };
}
