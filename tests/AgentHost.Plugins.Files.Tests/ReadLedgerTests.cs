using AgentHost.Hosting.Plugins;
using AgentHost.Tests.Files;
using AgentHost.Tests.Support;

namespace AgentHost.Plugins.Files.Tests;

/// <summary>Must-read-before-edit and stale-write protection: the files plugin's per-session read ledger.</summary>
public sealed class ReadLedgerTests : IAsyncLifetime
{
    private readonly FileToolHarness _tools = new();

    private TempDirectory Temp => _tools.Temp;

    public Task InitializeAsync() => _tools.InitializeAsync();

    public Task DisposeAsync() => _tools.DisposeAsync();

    [Theory]
    [InlineData("edit")]
    [InlineData("multi_edit")]
    [InlineData("write")]
    [InlineData("move")]
    [InlineData("delete")]
    public async Task ChangingAFileNotViewedInTheSession_IsRefused_AndNothingChanges(string tool)
    {
        Temp.WriteFile("ws/f.txt", "alpha\nbeta\n");
        var before = _tools.Snapshot();

        var error = await Assert.ThrowsAnyAsync<Exception>(() => _tools.InvokeJsonAsync(tool, ChangeOfF(tool)));

        Assert.StartsWith("'f.txt' has not been viewed in this session, so it cannot be changed yet; view it first", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, _tools.Snapshot());
    }

    [Theory]
    [InlineData("edit")]
    [InlineData("multi_edit")]
    [InlineData("write")]
    [InlineData("move")]
    [InlineData("delete")]
    public async Task ChangingAFileThatChangedOnDiskSinceItWasViewed_IsRefused(string tool)
    {
        var path = Temp.WriteFile("ws/f.txt", "alpha\nbeta\n");
        await _tools.ViewAsync("f.txt");
        File.WriteAllText(path, "alpha\nbeta\ngamma\n");
        var before = _tools.Snapshot();

        var error = await Assert.ThrowsAnyAsync<Exception>(() => _tools.InvokeJsonAsync(tool, ChangeOfF(tool)));

        Assert.Matches(@"^'f\.txt' changed on disk since you viewed it at \d\d:\d\d:\d\d UTC \(its size went from 11 to 17 bytes\); view it again", error.Message);
        Assert.Equal(before, _tools.Snapshot());
    }

    [Fact]
    public async Task ASameSizeChange_IsSeen_EvenWhenTheLastWriteTimeDidNotMove()
    {
        // Coarse file-system clocks (FAT, HFS+, some network shares) can leave the time unchanged after a quick edit.
        var path = Temp.WriteFile("ws/f.txt", "alpha\n");
        await _tools.ViewAsync("f.txt");
        var time = File.GetLastWriteTimeUtc(path);
        File.WriteAllText(path, "omega\n");
        File.SetLastWriteTimeUtc(path, time);

        var error = await Assert.ThrowsAnyAsync<Exception>(() => _tools.InvokeAsync("edit", ("path", "f.txt"), ("old_string", "omega"), ("new_string", "x")));

        Assert.Contains("(its content is different, though its size is the same)", error.Message, StringComparison.Ordinal);
        Assert.Equal("omega\n", File.ReadAllText(path));
    }

    [Fact]
    public async Task ATouchThatKeepsTheContent_IsNotAChange()
    {
        var path = Temp.WriteFile("ws/f.txt", "alpha\n");
        await _tools.ViewAsync("f.txt");
        File.SetLastWriteTimeUtc(path, File.GetLastWriteTimeUtc(path).AddMinutes(5));

        await _tools.InvokeAsync("edit", ("path", "f.txt"), ("old_string", "alpha"), ("new_string", "beta"));

        Assert.Equal("beta\n", File.ReadAllText(path));
    }

    [Fact]
    public async Task ViewingAnyPage_AllowsChanges_AndTheToolsOwnWritesKeepTheFileKnown()
    {
        var path = Temp.WriteFile("ws/f.txt", "one\ntwo\nthree\n");
        await _tools.InvokeAsync("view", ("path", "f.txt"), ("offset", 3), ("limit", 1));

        await _tools.InvokeAsync("edit", ("path", "f.txt"), ("old_string", "one"), ("new_string", "1"));
        await _tools.InvokeAsync("edit", ("path", "f.txt"), ("old_string", "two"), ("new_string", "2"));
        await _tools.InvokeAsync("write", ("path", "f.txt"), ("content", "1\n2\n3\n"));

        Assert.Equal("1\n2\n3\n", File.ReadAllText(path));
    }

    [Fact]
    public async Task CreatingANewFile_NeedsNoView_AndLaterEditsOfItAreAllowed()
    {
        await _tools.InvokeAsync("write", ("path", "new/file.txt"), ("content", "draft\n"));

        await _tools.InvokeAsync("edit", ("path", "new/file.txt"), ("old_string", "draft"), ("new_string", "final"));

        Assert.Equal("final\n", File.ReadAllText(Temp.Combine("ws", "new", "file.txt")));
    }

    [Fact]
    public async Task AViewInAnotherSession_DoesNotCount()
    {
        Temp.WriteFile("ws/f.txt", "alpha\n");
        _tools.SessionId = "session-a";
        await _tools.ViewAsync("f.txt");
        _tools.SessionId = "session-b";

        var error = await Assert.ThrowsAnyAsync<Exception>(() => _tools.InvokeAsync("edit", ("path", "f.txt"), ("old_string", "alpha"), ("new_string", "x")));

        Assert.Contains("has not been viewed in this session", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OutsideASession_NothingIsEnforced()
    {
        var path = Temp.WriteFile("ws/f.txt", "alpha\nbeta\n");
        _tools.SessionId = null;

        await _tools.InvokeAsync("edit", ("path", "f.txt"), ("old_string", "alpha"), ("new_string", "ALPHA"));
        await _tools.InvokeAsync("write", ("path", "f.txt"), ("content", "written\n"));
        await _tools.InvokeAsync("move", ("source", "f.txt"), ("destination", "g.txt"));
        await _tools.InvokeAsync("delete", ("path", "g.txt"));

        Assert.False(File.Exists(path));
        Assert.False(File.Exists(Temp.Combine("ws", "g.txt")));
    }

    [Fact]
    public async Task OutsideASession_ViewsAreNotRecordedForALaterSession()
    {
        Temp.WriteFile("ws/f.txt", "alpha\n");
        _tools.SessionId = null;
        await _tools.ViewAsync("f.txt");
        _tools.SessionId = FileToolHarness.DefaultSession;

        var error = await Assert.ThrowsAnyAsync<Exception>(() => _tools.InvokeAsync("edit", ("path", "f.txt"), ("old_string", "alpha"), ("new_string", "x")));

        Assert.Contains("has not been viewed in this session", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADryRun_IsNotRefused_ButSaysARealRunWouldBe_AndRecordsNothing()
    {
        var path = Temp.WriteFile("ws/f.txt", "alpha\n");

        var dryRun = await _tools.InvokeAsync("edit", ("path", "f.txt"), ("old_string", "alpha"), ("new_string", "beta"), ("dry_run", true));
        var error = await Assert.ThrowsAnyAsync<Exception>(() => _tools.InvokeAsync("edit", ("path", "f.txt"), ("old_string", "alpha"), ("new_string", "beta")));

        Assert.Contains("Nothing was written.\nA real run would be refused now: 'f.txt' has not been viewed in this session", dryRun, StringComparison.Ordinal);
        Assert.Contains("has not been viewed in this session", error.Message, StringComparison.Ordinal);
        Assert.Equal("alpha\n", File.ReadAllText(path));
    }

    [Fact]
    public async Task ADryRunWrite_DoesNotMakeTheNewFileKnown()
    {
        await _tools.InvokeAsync("write", ("path", "f.txt"), ("content", "draft\n"), ("dry_run", true));
        Temp.WriteFile("ws/f.txt", "someone else's\n");

        var error = await Assert.ThrowsAnyAsync<Exception>(() => _tools.InvokeAsync("write", ("path", "f.txt"), ("content", "draft\n")));

        Assert.Contains("has not been viewed in this session", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DescribingACall_ForAPermissionPrompt_RecordsNothing()
    {
        Temp.WriteFile("ws/f.txt", "alpha\n");
        var description = _tools.Describe("edit", ("path", "f.txt"), ("old_string", "alpha"), ("new_string", "beta"));
        _ = _tools.Describe("view", ("path", "f.txt"));

        var error = await Assert.ThrowsAnyAsync<Exception>(() => _tools.InvokeAsync("edit", ("path", "f.txt"), ("old_string", "alpha"), ("new_string", "beta")));

        Assert.Contains("-alpha\n+beta", description.Details, StringComparison.Ordinal);
        Assert.Contains("has not been viewed in this session", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMovedFile_StaysKnownUnderItsNewName_AndADeletedOneIsForgotten()
    {
        Temp.WriteFile("ws/a.txt", "alpha\n");
        await _tools.ViewAsync("a.txt");

        await _tools.InvokeAsync("move", ("source", "a.txt"), ("destination", "sub/b.txt"));
        await _tools.InvokeAsync("edit", ("path", "sub/b.txt"), ("old_string", "alpha"), ("new_string", "beta"));
        await _tools.InvokeAsync("delete", ("path", "sub/b.txt"));
        Temp.WriteFile("ws/sub/b.txt", "recreated by someone\n");
        var error = await Assert.ThrowsAnyAsync<Exception>(() => _tools.InvokeAsync("delete", ("path", "sub/b.txt")));

        Assert.Contains("has not been viewed in this session", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BinaryFiles_CanBeDeletedAfterAView()
    {
        var path = Temp.Combine("ws", "blob.bin");
        File.WriteAllBytes(path, [0, 1, 2]);
        await Assert.ThrowsAnyAsync<Exception>(() => _tools.InvokeAsync("delete", ("path", "blob.bin")));

        await _tools.ViewAsync("blob.bin");
        await _tools.InvokeAsync("delete", ("path", "blob.bin"));

        Assert.False(File.Exists(path));
    }

    [Fact]
    public async Task TheSettingReadBeforeEditFalse_TurnsTheProtectionOff()
    {
        await using var tools = new FileToolHarness(new Dictionary<string, string> { ["read_before_edit"] = "false" });
        await tools.InitializeAsync();
        var path = tools.Temp.WriteFile("ws/f.txt", "alpha\n");

        await tools.InvokeAsync("edit", ("path", "f.txt"), ("old_string", "alpha"), ("new_string", "beta"));

        Assert.Equal("beta\n", File.ReadAllText(path));
        Assert.DoesNotContain("viewed", tools.Tool("edit").Function.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnInvalidReadBeforeEditSetting_FailsThePluginLoad_NamingTheKeyAndTheFix()
    {
        await using var tools = new FileToolHarness(new Dictionary<string, string> { ["read_before_edit"] = "sometimes" });

        var result = await tools.LoadAsync();

        Assert.Equal(PluginLoadStatus.Failed, result.Status);
        Assert.Contains("plugins.settings.files.read_before_edit: 'sometimes' is not true or false", result.Error, StringComparison.Ordinal);
    }

    /// <summary>Arguments that change the existing file f.txt ("alpha\nbeta\n") with <paramref name="tool"/>.</summary>
    private static (string Key, object? Value)[] ChangeOfF(string tool) => tool switch
    {
        "edit" => [("path", "f.txt"), ("old_string", "alpha"), ("new_string", "ALPHA")],
        "multi_edit" => [("path", "f.txt"), ("edits", new object[] { new { old_string = "alpha", new_string = "ALPHA" } })],
        "write" => [("path", "f.txt"), ("content", "replaced\n")],
        "move" => [("source", "f.txt"), ("destination", "g.txt")],
        _ => [("path", "f.txt")],
    };
}
