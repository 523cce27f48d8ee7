using System.Diagnostics;
using AgentHost.Hosting;

namespace AgentHost.Hosting.Tests.Logging;

/// <summary>The start-up phases and marks a listener (the startup-hook timeline, an exporter) sees on <c>AgentHost.Startup</c>.</summary>
public sealed class StartupActivitiesTests
{
    // The detail (a plugin id) is set once the activity exists, so listeners see it when the phase stops.
    [Fact]
    public void Mark_IsAPhaseOfNoLength_StartedAndStoppedAtOnce_AndAPhaseEndsWithItsDetail()
    {
        var seen = new List<(string Event, string Name)>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == StartupActivities.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStarted = a => { lock (seen) { seen.Add(("start", a.DisplayName)); } },
            ActivityStopped = a => { lock (seen) { seen.Add(("stop", a.DisplayName)); } },
        };
        ActivitySource.AddActivityListener(listener);

        StartupActivities.Mark("test.mark");
        using (StartupActivities.Start("test.phase", "files"))
        {
        }

        lock (seen)
        {
            Assert.Equal(
                [("start", "test.mark"), ("stop", "test.mark"), ("start", "test.phase"), ("stop", "test.phase files")],
                seen.Where(e => e.Name.StartsWith("test.", StringComparison.Ordinal)));
        }
    }
}
