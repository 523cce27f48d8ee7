namespace AgentHost.Plugins.Files.Search;

/// <summary>
/// A file's first matching lines as grep's first pass found them: their 1-based numbers and, when the text was searched
/// as the file's own bytes, the byte offset in the file where each line starts. The second pass shows a page's lines
/// from these (reading only the bytes around them, <see cref="LineWindow"/>) instead of reading the file whole and
/// matching it again. Only the first <see cref="Limit"/> matches are kept (a page never needs more of one file); the
/// count goes on regardless.
/// </summary>
internal sealed class MatchedLines(int limit)
{
    [ThreadStatic]
    private static MatchedLines? t_current;

    private readonly List<int> _numbers = [];
    private readonly List<long> _starts = [];

    /// <summary>How many matches are kept.</summary>
    public int Limit { get; private set; } = limit;

    /// <summary>This thread's instance, emptied, keeping up to <paramref name="limit"/> matches (one per worker: pass 1 copies it, <see cref="Snapshot"/>, only for files that matched).</summary>
    public static MatchedLines ForThread(int limit)
    {
        var lines = t_current ??= new MatchedLines(limit);
        lines.Clear();
        lines.Limit = limit;
        lines.Identity = default;
        lines.TextStart = 0;
        return lines;
    }

    /// <summary>A copy sized to what was kept.</summary>
    public MatchedLines Snapshot()
    {
        var copy = new MatchedLines(Limit) { TextStart = TextStart, Identity = Identity, StartsKnown = StartsKnown };
        copy._numbers.AddRange(_numbers);
        copy._starts.AddRange(_starts);
        return copy;
    }

    /// <summary>The kept matches' line numbers, ascending.</summary>
    public List<int> Numbers => _numbers;

    /// <summary>Where each kept match's line starts in the file (bytes), parallel to <see cref="Numbers"/>.</summary>
    public List<long> Starts => _starts;

    /// <summary>
    /// Whether <see cref="Starts"/> are offsets in the file: false when the text was converted (UTF-16) or searched
    /// decoded (a regex without a required literal), where only the numbers are known.
    /// </summary>
    public bool StartsKnown { get; private set; } = true;

    /// <summary>Where line 1 starts in the file: 3 after a UTF-8 byte order mark, otherwise 0.</summary>
    public long TextStart { get; set; }

    /// <summary>The file as pass 1 read it (<see cref="NativeFile.Identify"/>); pass 2 trusts the offsets only if it is unchanged.</summary>
    public FileIdentity Identity { get; set; }

    /// <summary>Whether <see cref="Limit"/> matches are kept (later ones are only counted).</summary>
    public bool Full => _numbers.Count >= Limit;

    /// <summary>The line number of the text being scanned, less one (the lines of the chunks before it).</summary>
    internal int LineBase { get; set; }

    /// <summary>Where the text being scanned starts in the file, or -1 when the text is not the file's bytes.</summary>
    internal long OffsetBase { get; set; }

    /// <summary>Adds a match of the text being scanned.</summary>
    /// <param name="line">Its 1-based line number in that text.</param>
    /// <param name="start">Where its line starts in that text (bytes), or -1 when not known.</param>
    internal void Add(int line, long start)
    {
        if (Full)
        {
            return;
        }

        _numbers.Add(LineBase + line);
        if (start < 0 || OffsetBase < 0)
        {
            StartsKnown = false;
            _starts.Add(-1);
        }
        else
        {
            _starts.Add(OffsetBase + start);
        }
    }

    /// <summary>Forgets what was added (the file is counted again from its start).</summary>
    internal void Clear()
    {
        _numbers.Clear();
        _starts.Clear();
        StartsKnown = true;
        LineBase = 0;
        OffsetBase = 0;
    }
}

/// <summary>What tells one version of a file from another (<c>statx</c>): device, inode, size, change and modification times.</summary>
internal readonly record struct FileIdentity(ulong Device, ulong Inode, long Size, long ChangeSeconds, uint ChangeNanoseconds, long ModifySeconds, uint ModifyNanoseconds)
{
    /// <summary>Whether it was read (an all-zero identity is not trusted).</summary>
    public bool Known => Inode != 0 || Size != 0 || ModifySeconds != 0;
}
