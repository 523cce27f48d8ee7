using AgentHost.Server;
using AgentHost.Sessions;
using AgentHost.Tests.Support;

namespace AgentHost.Server.Tests;

/// <summary>
/// A workflow run that its cluster watch finds without a node (ApiServer.TakeOverWorkflowRunAsync), but that cannot start
/// again here — its stored definition cannot be read — is stored failed with the reason and how to try again, and the
/// watch ends (<see cref="WorkflowTakeover.Ended"/>), instead of being tried at every check forever. Real SQLite store.
/// </summary>
public sealed class WorkflowTakeoverTests
{
    [Fact]
    public async Task ARunThatCannotBeResumed_IsStoredFailedWithWhy_AndItsWatchEnds()
    {
        using var temp = new TempDirectory();
        await using var host = await ApiServerHostingTests.Host.StartAsync(temp, "test");
        var store = host.Server.Hub.Store.Workflows;
        // Stored as running by a process that is gone (nothing holds its lock): what a dead node leaves behind.
        var run = await store.CreateRunAsync(new NewWorkflowRun("broken", host.Root, "[]", "{}"));

        var first = await host.Server.TakeOverWorkflowRunAsync(run.Id);
        var stored = await store.GetRunAsync(run.Id);
        var second = await host.Server.TakeOverWorkflowRunAsync(run.Id);

        Assert.Equal(WorkflowTakeover.Ended, first);
        Assert.Equal(WorkflowRunState.Failed, stored.Status);
        Assert.Contains("could not be resumed", stored.Reason, StringComparison.Ordinal);
        Assert.Contains($"agent workflow resume {run.Id}", stored.Reason, StringComparison.Ordinal);
        Assert.Equal(WorkflowTakeover.Ended, second);
    }
}
