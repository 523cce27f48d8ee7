using AgentHost.Sdk.Tools;
using AgentHost.Tests.Files;
using AgentHost.Tests.Support;

namespace AgentHost.Plugins.Files.Tests;

/// <summary>
/// The files tools in a session whose editor serves files (<see cref="IEditorFiles"/>, ACP's <c>fs/*</c>): they read
/// its buffers and write into it, with the read ledger on the editor's text, and say so when the editor refuses.
/// </summary>
public sealed class EditorFilesTests : IAsyncLifetime
{
    private readonly FileToolHarness _tools = new();
    private readonly Editor _editor = new();

    private TempDirectory Temp => _tools.Temp;

    public async Task InitializeAsync()
    {
        await _tools.InitializeAsync();
        _tools.EditorFiles = _editor;
    }

    public Task DisposeAsync() => _tools.DisposeAsync();

    [Fact]
    public async Task ABufferChangedInTheEditorAfterTheView_RefusesTheEdit_AndADryRunWritesNothing()
    {
        var path = Temp.WriteFile("ws/f.txt", "on disk\n");
        _editor.Buffers[path] = "in the buffer\n";
        Assert.Contains("in the buffer", await _tools.ViewAsync("f.txt"), StringComparison.Ordinal);

        var dry = await _tools.InvokeAsync("edit", ("path", "f.txt"), ("old_string", "buffer"), ("new_string", "editor"), ("dry_run", true));
        Assert.StartsWith("Dry run: would edit 'f.txt'", dry, StringComparison.Ordinal);
        Assert.Empty(_editor.Writes);

        _editor.Buffers[path] = "typed since the view\n";
        var error = await Assert.ThrowsAnyAsync<Exception>(() => _tools.InvokeAsync("edit", ("path", "f.txt"), ("old_string", "typed"), ("new_string", "written")));
        Assert.Contains("'f.txt' changed on disk since you viewed it", error.Message, StringComparison.Ordinal);
        Assert.Empty(_editor.Writes);
        Assert.Equal("on disk\n", File.ReadAllText(path));
    }

    [Fact]
    public async Task WhatTheEditorRefuses_IsTheToolsError_NamingTheEditor_AndTheDiskIsUntouched()
    {
        var path = Temp.WriteFile("ws/f.txt", "text\n");
        _editor.Buffers[path] = "text\n";
        await _tools.ViewAsync("f.txt");
        _editor.RefuseWrites = "the buffer is read-only";

        var write = await Assert.ThrowsAnyAsync<Exception>(() => _tools.InvokeAsync("edit", ("path", "f.txt"), ("old_string", "text"), ("new_string", "new")));
        Assert.Contains("the editor could not write 'f.txt': the buffer is read-only", write.Message, StringComparison.Ordinal);

        _editor.Buffers.Remove(path);
        var read = await Assert.ThrowsAnyAsync<Exception>(() => _tools.ViewAsync("f.txt"));
        Assert.Contains("the editor could not read 'f.txt': no buffer", read.Message, StringComparison.Ordinal);
        Assert.Equal("text\n", File.ReadAllText(path));
    }

    [Fact]
    public async Task AnEditorThatOnlyReads_GivesTheText_AndTheEditIsWrittenToTheDisk()
    {
        var path = Temp.WriteFile("ws/f.txt", "on disk\n");
        _editor.Buffers[path] = "in the buffer\n";
        _editor.Writable = false;
        await _tools.ViewAsync("f.txt");

        await _tools.InvokeAsync("edit", ("path", "f.txt"), ("old_string", "buffer"), ("new_string", "edit"));

        Assert.Equal("in the edit\n", File.ReadAllText(path));
        Assert.Empty(_editor.Writes);
    }

    [Fact]
    public async Task ABinaryFileOnDisk_IsNotAskedOfTheEditor_AndViewSaysItIsBinary()
    {
        var path = Temp.Combine("ws", "image.bin");
        await File.WriteAllBytesAsync(path, [0x89, 0x50, 0x00, 0x01, 0x02]);
        _editor.Buffers[path] = "text the editor made up";

        var shown = await _tools.ViewAsync("image.bin");

        Assert.Contains("'image.bin' is a binary file", shown, StringComparison.Ordinal);
        Assert.Empty(_editor.Reads);
    }

    /// <summary>An editor with buffers in memory that records its reads and writes.</summary>
    private sealed class Editor : IEditorFiles
    {
        public Dictionary<string, string> Buffers { get; } = new(StringComparer.Ordinal);

        public List<(string Path, string Text)> Writes { get; } = [];

        public List<string> Reads { get; } = [];

        public bool Writable { get; set; } = true;

        public string? RefuseWrites { get; set; }

        public bool CanRead => true;

        public bool CanWrite => Writable;

        public Task<string> ReadTextAsync(string path, CancellationToken cancellationToken)
        {
            Reads.Add(path);
            return Buffers.TryGetValue(path, out var text) ? Task.FromResult(text) : Task.FromException<string>(new IOException("no buffer"));
        }

        public Task WriteTextAsync(string path, string text, CancellationToken cancellationToken)
        {
            if (RefuseWrites is { } reason)
            {
                return Task.FromException(new IOException(reason));
            }

            Writes.Add((path, text));
            Buffers[path] = text;
            return Task.CompletedTask;
        }
    }
}
