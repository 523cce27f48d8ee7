using System.Text;
using AgentHost.Hosting;
using AgentHost.Sessions;
using AgentHost.Sessions.Checkpoints;
using AgentHost.Tests.Sessions;

namespace AgentHost.Sessions.Tests;

/// <summary>The <c>file_checkpoints</c> table through <see cref="FileCheckpoints"/> on a real database.</summary>
public sealed class FileCheckpointsTests
{
    [Fact]
    public async Task BeforeIsRecordedOncePerTurn_AfterIsStored_AndUnchangedPathsAreForgotten()
    {
        using var harness = await SessionTestStore.OpenAsync();
        var id = (await harness.Store.CreateSessionAsync(new NewSession(harness.Workspace))).Id;
        var checkpoints = harness.Store.Checkpoints;
        Assert.Equal(1, await checkpoints.NextTurnAsync(id));

        Assert.True(await checkpoints.RecordBeforeAsync(id, 1, "a.txt", "write", FileSnapshot.Of("one"u8.ToArray())));
        Assert.False(await checkpoints.RecordBeforeAsync(id, 1, "a.txt", "edit", FileSnapshot.Of("two"u8.ToArray())));
        await checkpoints.RecordBeforeAsync(id, 1, "b.txt", "write", FileSnapshot.Absent);
        await checkpoints.RecordAfterAsync(id, 1, new Dictionary<string, FileSnapshot> { ["a.txt"] = FileSnapshot.Of("three"u8.ToArray()), ["b.txt"] = FileSnapshot.Absent });

        var stored = Assert.Single(await checkpoints.ListAsync(id));
        Assert.Equal(("a.txt", "write", "one", "three"), (stored.Path, stored.Tool, Encoding.UTF8.GetString(stored.Before.Content!), Encoding.UTF8.GetString(stored.After!.Content!)));
        Assert.Equal(2, await checkpoints.NextTurnAsync(id));

        await checkpoints.MarkUndoneAsync(id, 1);
        Assert.NotNull(Assert.Single(await checkpoints.ListAsync(id)).UndoneAt);
    }

    [Fact]
    public async Task CheckpointsAreDeletedWithTheirSession_AndAnUnknownSessionIsNotFound()
    {
        using var harness = await SessionTestStore.OpenAsync();
        var id = (await harness.Store.CreateSessionAsync(new NewSession(harness.Workspace))).Id;
        await harness.Store.Checkpoints.RecordBeforeAsync(id, 1, "a.txt", "write", FileSnapshot.Absent);

        await harness.Store.DeleteSessionAsync(id);

        var error = await Assert.ThrowsAsync<AgentHostException>(() => harness.Store.Checkpoints.ListAsync(id));
        Assert.Equal(ErrorKind.NotFound, error.Kind);
        Assert.False(await harness.Store.Checkpoints.RecordBeforeAsync(id, 1, "a.txt", "write", FileSnapshot.Absent)); // no orphan rows
    }
}
