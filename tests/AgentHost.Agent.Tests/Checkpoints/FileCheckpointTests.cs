using System.Text;
using AgentHost.Agent.Checkpoints;
using AgentHost.Agent.Tools;
using AgentHost.Hosting;
using AgentHost.Hosting.Security;
using AgentHost.Permissions;
using AgentHost.Permissions.Paths;
using AgentHost.Sdk.Tools;
using AgentHost.Sessions;
using AgentHost.Tests.Sessions;
using AgentHost.Tests.Support;

namespace AgentHost.Agent.Tests.Checkpoints;

/// <summary>
/// The checkpoint recorder and <see cref="SessionFileChanges"/> over a real session database and real files: what the
/// pipeline's write notices record, the caps (large, binary, secret), folders, moves, and undo's protections.
/// </summary>
public sealed class FileCheckpointTests : IAsyncLifetime
{
    private SessionTestStore _harness = null!;
    private string _session = null!;
    private FileCheckpointRecorder _recorder = null!;

    private string Root => _harness.Workspace;

    public async Task InitializeAsync()
    {
        var temp = new TempDirectory();
        var environment = TestEnvironment.Create(temp.Combine("home"), temp.Path);
        _harness = await SessionTestStore.OpenAsync(new SecretScrubber(environment), temp: temp);
        Directory.CreateDirectory(Root);
        _session = (await _harness.Store.CreateSessionAsync(new NewSession(Root))).Id;
        _recorder = new FileCheckpointRecorder(_harness.Store.Checkpoints, _session, Root);
    }

    public Task DisposeAsync()
    {
        _recorder.Dispose();
        _harness.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task LargeBinaryAndSecretFiles_AreRecordedAsNotUndoable_WithTheReason_AndUndoRefusesUnlessForced()
    {
        Write("big.txt", new string('x', FileStates.MaxFileBytes + 1));
        File.WriteAllBytes(Path.Combine(Root, "image.bin"), [1, 0, 2]);
        Write("env.txt", "OPENAI_API_KEY=sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z\n");
        Write("plain.txt", "a\n");

        await TurnAsync(("write", "big.txt"), ("write", "image.bin"), ("write", "env.txt"), ("write", "plain.txt"));
        Write("big.txt", "small now\n");
        File.WriteAllBytes(Path.Combine(Root, "image.bin"), [3]);
        Write("env.txt", "gone\n");
        Write("plain.txt", "b\n");
        await _recorder.EndTurnAsync(CancellationToken.None);

        var changes = await SessionFileChanges.GetAsync(_harness.Store, _session);
        var notes = changes.Total.ToDictionary(f => f.Path, f => f.Note);
        Assert.StartsWith("larger than the 1 MiB checkpoint limit", notes["big.txt"], StringComparison.Ordinal);
        Assert.Equal("a binary file", notes["image.bin"]);
        Assert.Contains("secret", notes["env.txt"], StringComparison.Ordinal);
        Assert.Null(notes["plain.txt"]);
        Assert.DoesNotContain("sk-proj-", Encoding.UTF8.GetString(_harness.RawBytes()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UndoRefusesNotUndoableFiles_ThenForceRevertsTheOthersAndLeavesThem()
    {
        Write("big.txt", new string('x', FileStates.MaxFileBytes + 1));
        Write("plain.txt", "a\n");
        await TurnAsync(("write", "big.txt"), ("write", "plain.txt"));
        Write("big.txt", "small\n");
        Write("plain.txt", "b\n");
        await _recorder.EndTurnAsync(CancellationToken.None);

        var refused = await SessionFileChanges.UndoLastTurnAsync(_harness.Store, _session, Sandbox(), force: false);

        Assert.False(refused.Done);
        Assert.StartsWith("big.txt: larger than", Assert.Single(refused.NotUndoable), StringComparison.Ordinal);
        Assert.Equal("b\n", Read("plain.txt"));

        var forced = await SessionFileChanges.UndoLastTurnAsync(_harness.Store, _session, Sandbox(), force: true);

        Assert.True(forced.Done);
        Assert.Equal("a\n", Read("plain.txt"));
        Assert.Equal("small\n", Read("big.txt"));
    }

    [Fact]
    public async Task AMoveAndAFolderDelete_AreRecordedFileByFile_AndUndoPutsEverythingBack()
    {
        Write("a.txt", "A\n");
        Write("dir/one.txt", "1\n");
        Write("dir/sub/two.txt", "2\n");
        _recorder.BeginTurn();
        await _recorder.BeforeWriteAsync(Notice("move", new ToolCallDescription("write", "a.txt") { Paths = [new ToolCallPath("moved/a.txt", ToolEffect.Write)] }), CancellationToken.None);
        Directory.CreateDirectory(Path.Combine(Root, "moved"));
        File.Move(Path.Combine(Root, "a.txt"), Path.Combine(Root, "moved", "a.txt"));
        await _recorder.BeforeWriteAsync(Notice("delete", new ToolCallDescription("write", "dir")), CancellationToken.None);
        Directory.Delete(Path.Combine(Root, "dir"), recursive: true);
        await _recorder.EndTurnAsync(CancellationToken.None);

        var turn = Assert.Single((await SessionFileChanges.GetAsync(_harness.Store, _session)).Turns);
        Assert.Equal(
            ["a.txt deleted", "moved/a.txt created", "dir/one.txt deleted", "dir/sub/two.txt deleted"],
            turn.Files.Select(f => $"{f.Path} {f.Kind.ToString().ToLowerInvariant()}"));

        var undo = await SessionFileChanges.UndoLastTurnAsync(_harness.Store, _session, Sandbox(), force: false);

        Assert.True(undo.Done);
        Assert.Equal("A\n", Read("a.txt"));
        Assert.False(File.Exists(Path.Combine(Root, "moved", "a.txt")));
        Assert.Equal("1\n", Read("dir/one.txt"));
        Assert.Equal("2\n", Read("dir/sub/two.txt"));
    }

    [Fact]
    public async Task ShellCommands_AndPathsOutsideTheRoot_AreNotRecorded()
    {
        _recorder.BeginTurn();
        await _recorder.BeforeWriteAsync(Notice("shell", new ToolCallDescription("execute", "echo hi > a.txt")), CancellationToken.None);
        await _recorder.BeforeWriteAsync(Notice("write", new ToolCallDescription("write", "../outside.txt")), CancellationToken.None);
        Write("a.txt", "hi\n");
        await _recorder.EndTurnAsync(CancellationToken.None);

        Assert.Empty(await _harness.Store.Checkpoints.ListAsync(_session));
    }

    [Fact]
    public async Task AnUndoThatWouldWriteAProtectedPath_IsDenied_AndWritesNothing()
    {
        Write("ok.txt", "before\n");
        await TurnAsync(("write", ".agent/config.yaml"), ("write", "ok.txt"));
        Write(".agent/config.yaml", "permissions: {}\n");
        Write("ok.txt", "after\n");
        await _recorder.EndTurnAsync(CancellationToken.None);

        var error = await Assert.ThrowsAsync<AgentHostException>(() => SessionFileChanges.UndoLastTurnAsync(_harness.Store, _session, Sandbox(), force: true));

        Assert.Equal(ErrorKind.Denied, error.Kind);
        Assert.Contains(".agent/config.yaml", error.Message, StringComparison.Ordinal);
        Assert.Equal("after\n", Read("ok.txt"));
    }

    [Fact]
    public async Task AnUnchangedPath_IsForgotten_AndANewTurnGetsTheNextNumber()
    {
        Write("same.txt", "x\n");
        await TurnAsync(("edit", "same.txt"));
        await _recorder.EndTurnAsync(CancellationToken.None);
        Assert.Empty(await _harness.Store.Checkpoints.ListAsync(_session));

        await TurnAsync(("write", "n.txt"));
        Write("n.txt", "n\n");
        await _recorder.EndTurnAsync(CancellationToken.None);
        await TurnAsync(("write", "n.txt"));
        Write("n.txt", "m\n");
        await _recorder.EndTurnAsync(CancellationToken.None);

        var turns = (await SessionFileChanges.GetAsync(_harness.Store, _session)).Turns;
        Assert.Equal([1, 2], turns.Select(t => t.Turn));
        var total = Assert.Single((await SessionFileChanges.GetAsync(_harness.Store, _session)).Total);
        Assert.Equal(FileChangeKind.Created, total.Kind);
        Assert.Contains("+m", total.Diff, StringComparison.Ordinal);
    }

    [Fact]
    public void Diffs_UseTheSameHunkHeadersAsTheFilesPreviews_ForCreatedDeletedAndChangedFiles()
    {
        var created = SessionFileChanges.Change("n.txt", FileSnapshot.Absent, FileSnapshot.Of("a\nb\n"u8.ToArray()))!;
        var deleted = SessionFileChanges.Change("n.txt", FileSnapshot.Of("a\n"u8.ToArray()), FileSnapshot.Absent)!;
        var changed = SessionFileChanges.Change("n.txt", FileSnapshot.Of("a\nb\nc\n"u8.ToArray()), FileSnapshot.Of("a\nB\nc"u8.ToArray()))!;

        Assert.Equal("--- /dev/null\n+++ b/n.txt\n@@ -0,0 +1,2 @@\n+a\n+b\n", created.Diff);
        Assert.Equal((2, 0), (created.Added, created.Removed));
        Assert.Equal("--- a/n.txt\n+++ /dev/null\n@@ -1,1 +0,0 @@\n-a\n", deleted.Diff);
        Assert.Equal("--- a/n.txt\n+++ b/n.txt\n@@ -1,3 +1,3 @@\n a\n-b\n-c\n+B\n+c\n\\ No newline at end of file\n", changed.Diff);
    }

    private async Task TurnAsync(params (string Tool, string Path)[] calls)
    {
        _recorder.BeginTurn();
        foreach (var (tool, path) in calls)
        {
            await _recorder.BeforeWriteAsync(Notice(tool, new ToolCallDescription("write", path)), CancellationToken.None);
        }
    }

    private ToolWriteNotice Notice(string tool, ToolCallDescription description) =>
        new(new ToolCallContext(_session, "call-" + tool) { WorkspaceRoot = Root }, tool, description);

    private PathSandbox Sandbox() => new(Root, _harness.Temp.Combine("home"));

    private void Write(string relative, string text)
    {
        var full = Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, text);
    }

    private string Read(string relative) => File.ReadAllText(Path.Combine(Root, relative));
}
