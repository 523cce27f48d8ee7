using System.Diagnostics;

namespace AgentHost.Hosting;

/// <summary>
/// Activities that mark the phases between process start and the first model request (<c>AgentHost.Startup</c>):
/// configuration, plugin loading and activation, the session store, the session's run context. Nothing is recorded
/// unless a listener subscribes (an OpenTelemetry exporter, or the startup-hook timeline of docs/decisions/0003-startup-warm-up-and-descriptor-table.md);
/// without one, starting an activity costs one check.
/// </summary>
public static class StartupActivities
{
    /// <summary>The source name.</summary>
    public const string SourceName = "AgentHost.Startup";

    private static readonly ActivitySource Source = new(SourceName);

    /// <summary>Starts a phase; dispose the result to end it (<see langword="null"/> when nobody listens).</summary>
    /// <param name="name">The phase, e.g. <c>plugins.load</c>.</param>
    /// <param name="detail">What it is about (a plugin id), shown as the display name.</param>
    /// <returns>The activity, or <see langword="null"/>.</returns>
    public static Activity? Start(string name, string? detail = null)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var activity = Source.StartActivity(name);
        if (activity is not null && detail is not null)
        {
            activity.DisplayName = name + " " + detail;
        }

        return activity;
    }

    /// <summary>Marks a moment: a phase of no length that says where the start-up has got to (e.g. <c>cli.parsed</c>).</summary>
    /// <param name="name">The moment.</param>
    public static void Mark(string name) => Start(name)?.Dispose();
}
