using AgentHost.Sdk.Tools;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Files;

/// <summary>
/// Check-then-use races: a folder inside the workspace is swapped for a link to a folder outside it between the moment
/// a files tool resolved its path and the moment it opens, creates, moves or deletes — through the SDK's test hook,
/// deterministically — and by a thread flipping it while the write tool writes.
/// </summary>
[Collection(nameof(SymlinkRaceGroup))]
public sealed class SymlinkRaceTests : IAsyncLifetime
{
    private readonly FileToolHarness _tools = new();

    private string Outside => _tools.Temp.Combine("outside");

    private string Sub => Path.Combine(_tools.Root, "sub");

    public async Task InitializeAsync()
    {
        await _tools.InitializeAsync();
        Directory.CreateDirectory(Outside);
        Directory.CreateDirectory(Sub);
    }

    public async Task DisposeAsync()
    {
        WorkspacePaths.BeforeUse = null;
        await _tools.DisposeAsync();
    }

    [SymlinkFact]
    public async Task Write_IsRefused_AndNothingLandsOutside_WhenTheFolderBecomesALinkBeforeTheOpen()
    {
        var swapped = SwapOnFirstUseUnder(Sub);

        var error = await Assert.ThrowsAnyAsync<Exception>(() => _tools.InvokeAsync("write", ("path", "sub/new.txt"), ("content", "payload")));

        Assert.True(swapped.IsSet);
        Assert.Contains("outside the workspace root", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(Outside, "*", SearchOption.AllDirectories));
    }

    [SymlinkFact]
    public async Task Write_IsRefused_WhenAFolderItCreatesLandsOutside()
    {
        var swapped = SwapOnFirstUseUnder(Path.Combine(Sub, "deep"));

        var error = await Assert.ThrowsAnyAsync<Exception>(() => _tools.InvokeAsync("write", ("path", "sub/deep/er/new.txt"), ("content", "payload")));

        Assert.True(swapped.IsSet);
        Assert.Contains("outside the workspace root", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(Outside, "*", SearchOption.AllDirectories));
    }

    [SymlinkFact]
    public void CreateDirectory_LeavesTheEmptyFolderOutsideAlone_WhenTheFolderItCreatesIsALinkByThen()
    {
        // sub is missing; just before it is created, a link named sub to the (empty) outside folder appears. Creating
        // it is then a no-op that leads outside: the call is refused and the folder outside is not removed.
        Directory.Delete(Sub);
        var paths = new WorkspacePaths(_tools.Root);
        WorkspacePaths.BeforeUse = path =>
        {
            if (path == Sub && !Directory.Exists(Sub))
            {
                Directory.CreateSymbolicLink(Sub, Outside);
            }
        };

        var error = Assert.Throws<UnauthorizedAccessException>(() => paths.CreateDirectory(Path.Combine(Sub, "deep")));

        Assert.Contains("outside the workspace root", error.Message, StringComparison.Ordinal);
        Assert.True(Directory.Exists(Outside), "the folder outside the root was deleted");
        Assert.Empty(Directory.GetFileSystemEntries(Outside, "*", SearchOption.AllDirectories));
    }

    [SymlinkFact]
    public async Task Edit_IsRefused_AndTheFileOutsideIsUntouched_WhenTheFolderBecomesALinkBeforeTheWrite()
    {
        File.WriteAllText(Path.Combine(Sub, "a.txt"), "hello inside\n");
        File.WriteAllText(Path.Combine(Outside, "a.txt"), "hello outside\n");
        await _tools.ViewAsync("sub/a.txt");
        var swapped = SwapOnFirstUseUnder(Sub, when: path => path.EndsWith(".tmp", StringComparison.Ordinal));

        await Assert.ThrowsAnyAsync<Exception>(() => _tools.InvokeAsync("edit", ("path", "sub/a.txt"), ("old_string", "hello"), ("new_string", "bye")));

        Assert.True(swapped.IsSet);
        Assert.Equal(["a.txt"], Directory.GetFileSystemEntries(Outside).Select(Path.GetFileName));
        Assert.Equal("hello outside\n", File.ReadAllText(Path.Combine(Outside, "a.txt")));
    }

    [SymlinkFact]
    public async Task View_DoesNotReadOutside_WhenTheFolderBecomesALinkBeforeTheOpen()
    {
        File.WriteAllText(Path.Combine(Sub, "a.txt"), "inside\n");
        File.WriteAllText(Path.Combine(Outside, "a.txt"), "OUTSIDE-ONLY-TEXT\n");
        var swapped = SwapOnFirstUseUnder(Sub);

        var error = await Assert.ThrowsAnyAsync<Exception>(() => _tools.ViewAsync("sub/a.txt"));

        Assert.True(swapped.IsSet);
        Assert.Contains("outside the workspace root", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("OUTSIDE-ONLY-TEXT", error.Message, StringComparison.Ordinal);
    }

    [SymlinkFact]
    public async Task Delete_IsRefused_AndTheFileOutsideSurvives_WhenTheFolderBecomesALinkBeforeTheDelete()
    {
        File.WriteAllText(Path.Combine(Sub, "a.txt"), "inside\n");
        File.WriteAllText(Path.Combine(Outside, "a.txt"), "outside\n");
        await _tools.ViewAsync("sub/a.txt");

        // The first use is the plan's read of the file (for the diff), the second the delete itself.
        var swapped = SwapOnFirstUseUnder(Sub, nth: 2);
        var error = await Assert.ThrowsAnyAsync<Exception>(() => _tools.InvokeAsync("delete", ("path", "sub/a.txt")));

        Assert.True(swapped.IsSet);
        Assert.Contains("outside the workspace root", error.Message, StringComparison.Ordinal);
        Assert.Equal(["a.txt"], Directory.GetFileSystemEntries(Outside).Select(Path.GetFileName));
        Assert.Equal("outside\n", File.ReadAllText(Path.Combine(Outside, "a.txt")));
    }

    [SymlinkFact]
    public async Task Move_IsUndone_AndNothingStaysOutside_WhenTheDestinationFolderBecomesALink()
    {
        File.WriteAllText(Path.Combine(_tools.Root, "a.txt"), "mine\n");
        await _tools.ViewAsync("a.txt");
        var swapped = SwapOnFirstUseUnder(Sub, when: path => path.EndsWith("b.txt", StringComparison.Ordinal));

        var error = await Assert.ThrowsAnyAsync<Exception>(() => _tools.InvokeAsync("move", ("source", "a.txt"), ("destination", "sub/b.txt")));

        Assert.True(swapped.IsSet, error.Message);
        Assert.Contains("outside the workspace root", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(Outside, "*", SearchOption.AllDirectories));
        Assert.Equal("mine\n", File.ReadAllText(Path.Combine(_tools.Root, "a.txt")));
    }

    [SymlinkFact]
    public void CreateNewAndReplaceWith_NeverWriteOutside_WhenTheFolderBecomesALink()
    {
        // What the web plugin's download does: a checked temporary file beside the target, then a rename.
        var paths = new WorkspacePaths(_tools.Root);
        var target = paths.Resolve("sub/download.bin")!;
        var temp = Path.Combine(Sub, ".download.bin.tmp");
        using (var stream = paths.CreateNew(temp))
        {
            stream.Write("payload"u8);
        }

        Swap();

        Assert.ThrowsAny<IOException>(() => paths.ReplaceWith(temp, target, overwrite: false));
        Assert.Throws<UnauthorizedAccessException>(() => paths.CreateNew(Path.Combine(Sub, "other.bin")).Dispose());
        Assert.Empty(Directory.GetFileSystemEntries(Outside, "*", SearchOption.AllDirectories));
    }

    [SymlinkFact]
    public async Task Write_UnderAFolderFlippingToALink_NeverLeavesAFileOutside()
    {
        const int Writes = 60;
        const int MaxFlips = 200_000;
        var hold = Path.Combine(_tools.Root, "sub.hold");
        var flips = 0;
        using var flipped = new ManualResetEventSlim();
        using var stop = new CancellationTokenSource();
        var flipper = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested && flips < MaxFlips)
            {
                try
                {
                    if (new FileInfo(Sub).LinkTarget is not null)
                    {
                        Directory.Delete(Sub);
                        Directory.Move(hold, Sub);
                    }
                    else if (Directory.Exists(Sub))
                    {
                        Directory.Move(Sub, hold);
                        Directory.CreateSymbolicLink(Sub, Outside);
                    }
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    // The writer created sub meanwhile, or the hold folder is in use: try again.
                }

                flips++;
                flipped.Set();
            }
        });

        flipped.Wait();
        var outcomes = new List<string>();
        for (var i = 0; i < Writes; i++)
        {
            try
            {
                outcomes.Add(await _tools.InvokeAsync("write", ("path", $"sub/f{i}.txt"), ("content", "payload " + i)));
            }
#pragma warning disable CA1031 // Refusals and failures are expected under the race; only what lands outside matters.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                outcomes.Add(ex.Message);
            }
        }

        await stop.CancelAsync();
        await flipper;

        Assert.Equal(Writes, outcomes.Count);
        Assert.True(flips > 0);
        Assert.Empty(Directory.GetFileSystemEntries(Outside, "*", SearchOption.AllDirectories));
    }

    /// <summary>Swaps <c>sub</c> for a link to the outside folder: the real folder moves aside to <c>sub.real</c>.</summary>
    private void Swap()
    {
        Directory.Move(Sub, Path.Combine(_tools.Root, "sub.real"));
        Directory.CreateSymbolicLink(Sub, Outside);
    }

    /// <summary>Installs the SDK hook: the <paramref name="nth"/> use of a path under <paramref name="folder"/> (matching <paramref name="when"/>) swaps sub for a link first.</summary>
    private ManualResetEventSlim SwapOnFirstUseUnder(string folder, Func<string, bool>? when = null, int nth = 1)
    {
        var swapped = new ManualResetEventSlim();
        var uses = 0;
        WorkspacePaths.BeforeUse = path =>
        {
            if (!swapped.IsSet && path.StartsWith(folder, StringComparison.Ordinal) && (when is null || when(path)) && ++uses == nth)
            {
                swapped.Set();
                Swap();
            }
        };
        return swapped;
    }
}

/// <summary>The race tests set a process-wide test hook of the SDK: they never run in parallel with each other.</summary>
[CollectionDefinition(nameof(SymlinkRaceGroup), DisableParallelization = true)]
public sealed class SymlinkRaceGroup;
