using System.Text.Json;
using System.Text.Json.Nodes;
using AgentHost.Hosting.Plugins.Caches;
using AgentHost.Tests.Support;

namespace AgentHost.Hosting.Tests.Plugins;

/// <summary>
/// <see cref="KeyedCacheFile{TEntry}"/>, the one mechanism behind the host's cache files: entries come back as saved; a
/// corrupt, foreign-version or half-written file is ignored and rebuilt, never an error; a stale or malformed entry is
/// not used; a save writes only when something changed; and writers racing on one file leave a whole file.
/// </summary>
public sealed class KeyedCacheFileTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    private string FilePath => _temp.Combine("cache", "notes.json");

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SavedEntries_AreReadBackByTheNextInstance_AsSaved(bool streaming)
    {
        var first = Open(streaming);
        Assert.False(first.TryGet("a", out _));
        first.Set("a", new Note("first \"note\"\n", 1));
        first.Set("b/c", new Note("ünïcode", 2));

        Assert.True(first.SaveIfChanged());

        var next = Open(streaming);
        Assert.True(next.TryGet("a", out var a));
        Assert.True(next.TryGet("b/c", out var bc));
        Assert.Equal((new Note("first \"note\"\n", 1), new Note("ünïcode", 2)), (a, bc));
        Assert.False(next.TryGet("missing", out _));
        Assert.Equal(2, Version());
    }

    [Theory]
    [InlineData("{ not json")]
    [InlineData("")]
    [InlineData("[1, 2]")]
    [InlineData("{\"version\": 2}")]
    [InlineData("{\"version\": 2, \"notes\": [1]}")]
    [InlineData("{\"version\": 2, \"notes\": {\"a\": {\"text\": \"x\", \"n\": 1}")]
    public void ACorruptFile_IsIgnoredAsIfEmpty_NotAnError_AndRewrittenAtTheNextSave(string content)
    {
        Write(content);

        foreach (var streaming in new[] { false, true })
        {
            var cache = Open(streaming);
            Assert.False(cache.TryGet("a", out _));
            Assert.True(cache.SaveIfChanged()); // rewritten in this format even though nothing was set
            Assert.Equal(2, Version());
            Write(content);
        }
    }

    [Fact]
    public void AFileOfAnotherVersion_IsIgnored_AndRebuiltInThisVersion()
    {
        // Version 1 of the same section: the entry's shape may differ, so nothing of it is used.
        Write("""{"version": 1, "notes": {"a": {"text": "old", "n": 1}}}""");
        var cache = Open();

        Assert.False(cache.TryGet("a", out _));
        cache.Set("a", new Note("new", 2));
        Assert.True(cache.SaveIfChanged());

        Assert.Equal(2, Version());
        Assert.True(Open().TryGet("a", out var a));
        Assert.Equal(new Note("new", 2), a);
    }

    [Fact]
    public void AStaleEntry_IsNotUsed_AndDroppedFromTheFile()
    {
        var first = Open();
        first.Set("a", new Note("cached for version 1 of the source", 1));
        first.Set("b", new Note("other", 1));
        first.SaveIfChanged();

        var next = Open();
        Assert.False(next.TryGet("a", out _, note => note.N == 2)); // the file it caches changed since
        Assert.True(next.TryGet("b", out _, note => note.N == 1));
        Assert.True(next.SaveIfChanged());

        Assert.Equal(["b"], Keys());
        Assert.False(Open().TryGet("a", out _));
    }

    [Fact]
    public void AMalformedEntry_IsNotUsed_TheOthersAre()
    {
        Write("""{"version": 2, "notes": {"a": {"text": 7, "n": 1}, "b": {"text": "fine", "n": 2}, "c": "nope"}}""");
        var cache = Open();

        Assert.False(cache.TryGet("a", out _));
        Assert.False(cache.TryGet("c", out _));
        Assert.True(cache.TryGet("b", out var b));
        Assert.Equal(new Note("fine", 2), b);
        Assert.True(cache.SaveIfChanged());
        Assert.Equal(["b"], Keys());
    }

    [Fact]
    public void AnEntryNeverLookedUp_IsWrittenBackAsItWasRead()
    {
        Write("""{"version": 2, "notes": {"kept": {"text": "as read", "n": 1, "extra": [true]}}}""");
        var cache = Open();

        cache.Set("new", new Note("n", 1));
        cache.SaveIfChanged();

        Assert.Equal("""{"text":"as read","n":1,"extra":[true]}""", JsonNode.Parse(File.ReadAllText(FilePath))!["notes"]!["kept"]!.ToJsonString());
    }

    [Fact]
    public void SaveIfChanged_WritesNothing_WhenNothingChanged()
    {
        var untouched = Open();
        Assert.False(untouched.SaveIfChanged()); // never read: nothing to write
        Assert.False(untouched.TryGet("a", out _));
        Assert.False(untouched.SaveIfChanged());
        Assert.False(File.Exists(FilePath));

        var first = Open();
        first.Set("a", new Note("x", 1));
        first.SaveIfChanged();
        var next = Open();
        Assert.True(next.TryGet("a", out _));
        File.Delete(FilePath);

        Assert.False(next.SaveIfChanged());
        Assert.False(File.Exists(FilePath));
    }

    [Fact]
    public void BeyondMaxEntries_ASaveKeepsOnlyTheEntriesUsed()
    {
        var first = Open();
        foreach (var key in new[] { "a", "b", "c" })
        {
            first.Set(key, new Note(key, 1));
        }

        first.SaveIfChanged();
        var next = Open(maxEntries: 2);
        Assert.True(next.TryGet("b", out _));

        Assert.True(next.SaveIfChanged()); // nothing set, but unused entries are over the limit
        Assert.Equal(["b"], Keys());
    }

    [Fact]
    public void RemovedEntries_AreGoneFromTheFile()
    {
        var first = Open();
        first.Set("a", new Note("a", 1));
        first.Set("b", new Note("b", 1));
        first.SaveIfChanged();

        var next = Open();
        Assert.True(next.Remove("a"));
        Assert.False(next.Remove("zz"));
        next.SaveIfChanged();

        Assert.Equal(["b"], Keys());
    }

    [Fact]
    public void ACacheThatCannotBeWritten_IsNotAnError_ItIsBuiltAgainNextTime()
    {
        File.WriteAllText(_temp.Combine("cache"), "a file where the folder should be");
        var cache = Open();
        cache.Set("a", new Note("x", 1));

        Assert.False(cache.SaveIfChanged());
        Assert.False(Open().TryGet("a", out _));
    }

    [Fact]
    public async Task WritersRacingOnOneFile_InThisProcess_LeaveAWholeFile_AndReadersNeverSeeHalfOfOne()
    {
        // Eight caches over one file (eight sessions, say) save large entries at once while a reader reads the file.
        const int Writers = 8;
        var text = new string('x', 64 * 1024);
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            await start.Task;
            for (var round = 0; round < 10; round++)
            {
                var cache = Open();
                cache.Set("entry", new Note(text + w, round));
                cache.SaveIfChanged();
            }
        })).ToArray();
        var all = Task.WhenAll(writers);

        start.SetResult();
        do
        {
            if (File.Exists(FilePath))
            {
                var cache = Open();
                Assert.True(cache.TryGet("entry", out var note));
                Assert.StartsWith(text, note.Text, StringComparison.Ordinal);
                Assert.False(cache.SaveIfChanged()); // read as a whole file, so nothing to rewrite
            }
        }
        while (!all.IsCompleted);

        await all;
        Assert.True(Open().TryGet("entry", out var last));
        Assert.Equal(text.Length + 1, last.Text.Length);
        Assert.Equal(9, last.N);
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(FilePath)!, "*.tmp"));
    }

    public void Dispose() => _temp.Dispose();

    private KeyedCacheFile<Note> Open(bool streaming = false, int maxEntries = int.MaxValue) =>
        new(FilePath, new KeyedCacheFormat<Note>("Test cache", 2, "notes", Note.Read, Note.Write) { Streaming = streaming, MaxEntries = maxEntries });

    private void Write(string content)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
        File.WriteAllText(FilePath, content);
    }

    private int Version() => JsonNode.Parse(File.ReadAllText(FilePath))!["version"]!.GetValue<int>();

    private string[] Keys() => [.. JsonNode.Parse(File.ReadAllText(FilePath))!["notes"]!.AsObject().Select(p => p.Key)];

    /// <summary>An entry: a text and a number (<c>{"text": "…", "n": 1}</c>).</summary>
    private sealed record Note(string Text, int N)
    {
        public static Note? Read(string key, JsonElement element) =>
            element.ValueKind == JsonValueKind.Object && element.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String
                ? new Note(text.GetString()!, element.GetProperty("n").GetInt32())
                : null;

        public static void Write(Utf8JsonWriter writer, Note note)
        {
            writer.WriteStartObject();
            writer.WriteString("text", note.Text);
            writer.WriteNumber("n", note.N);
            writer.WriteEndObject();
        }
    }
}
