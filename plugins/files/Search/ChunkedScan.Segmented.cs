using System.Buffers;

namespace AgentHost.Plugins.Files.Search;

/// <content>grep's first pass over a large file: its segments, searched by several threads.</content>
internal static partial class ChunkedScan
{
    /// <summary>
    /// A large file searched by several threads at once: after the same start checks as <see cref="Stream"/> (UTF-16,
    /// binary), the text is cut into segments of about 1 MiB (at most two per processor); each owns the lines that
    /// start in it (the partial line at its start belongs to the segment before) and is streamed through its own
    /// pooled buffer. The calling thread takes segments too, so the search never waits for a thread that is not free:
    /// the thread pool's threads only take the segments the caller has not reached. Counts add up; kept lines are
    /// renumbered by the lines of the segments before them. rg does not split a file; with eight large files and two
    /// threads, whole files per thread left one core idle while the other finished the largest.
    /// </summary>
    private static class Segmented
    {
        public static SearchFileKind? Scan(Reader reader, long length, LineMatcher matcher, int chunkBytes, out int count, MatchedLines? lines)
        {
            count = 0;
            var probe = new byte[SearchFile.BinaryProbeBytes + 3];
            var filled = 0;
            while (filled < probe.Length && filled < length)
            {
                var read = reader.Read(probe.AsSpan(filled, (int)Math.Min(probe.Length - filled, length - filled)), filled);
                if (read == 0)
                {
                    break;
                }

                filled += read;
            }

            var head = probe.AsSpan(0, filled);
            if (filled >= 2 && ((head[0] == 0xFF && head[1] == 0xFE) || (head[0] == 0xFE && head[1] == 0xFF)))
            {
                return null;
            }

            if (filled >= SearchFile.BinaryProbeBytes && SearchFile.IsBinaryStart(head[..SearchFile.BinaryProbeBytes]))
            {
                return SearchFileKind.Binary;
            }

            var textStart = head.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0;
            if (head.Slice(textStart, Math.Min(filled - textStart, SearchFile.BinaryProbeBytes)).Contains((byte)0))
            {
                return SearchFileKind.Binary;
            }

            var segments = (int)Math.Clamp((length - textStart) / (1024 * 1024), 2, 2 * Environment.ProcessorCount);
            var results = new Result[segments];
            for (var i = 0; i < segments; i++)
            {
                results[i] = new Result(
                    textStart + ((length - textStart) * i / segments),
                    textStart + ((length - textStart) * (i + 1) / segments),
                    lines is null ? null : new MatchedLines(lines.Limit));
            }

            var work = new Work(reader, length, matcher, chunkBytes, results);
            for (var i = 1; i < segments; i++)
            {
                ThreadPool.UnsafeQueueUserWorkItem(static w => w.Run(), work, preferLocal: false);
            }

            work.Run();
            work.Wait();
            if (lines is not null)
            {
                lines.Clear();
                lines.TextStart = textStart;
                lines.OffsetBase = 0;
            }

            var before = 0;
            foreach (var result in results)
            {
                count += result.Count;
                if (lines is not null && result.Lines is { } kept)
                {
                    for (var i = 0; i < kept.Numbers.Count && !lines.Full; i++)
                    {
                        lines.LineBase = before;
                        lines.Add(kept.Numbers[i], kept.StartsKnown ? kept.Starts[i] : -1);
                    }
                }

                before += result.Newlines;
            }

            if (lines is not null)
            {
                lines.LineBase = 0;
            }

            return SearchFileKind.Text;
        }

        private sealed class Result(long from, long to, MatchedLines? lines)
        {
            public long From { get; } = from;

            public long To { get; } = to;

            public MatchedLines? Lines { get; } = lines;

            public int Count { get; set; }

            public int Newlines { get; set; }
        }

        private sealed class Work(Reader reader, long length, LineMatcher matcher, int chunkBytes, Result[] results)
        {
            private readonly object _gate = new();
            private int _next = -1;
            private int _done;
            private System.Runtime.ExceptionServices.ExceptionDispatchInfo? _failure;

            public void Run()
            {
                int index;
                while ((index = Interlocked.Increment(ref _next)) < results.Length)
                {
                    try
                    {
                        var result = results[index];
                        result.Count = ScanRange(reader, result.From, result.To, length, skipPartial: index > 0, matcher, chunkBytes, result.Lines, out var newlines);
                        result.Newlines = newlines;
                    }
#pragma warning disable CA1031 // Rethrown on the calling thread by Wait.
                    catch (Exception ex)
#pragma warning restore CA1031
                    {
                        lock (_gate)
                        {
                            _failure ??= System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex);
                        }
                    }
                    finally
                    {
                        lock (_gate)
                        {
                            if (++_done == results.Length)
                            {
                                Monitor.PulseAll(_gate);
                            }
                        }
                    }
                }
            }

            /// <summary>Waits until every segment was scanned; rethrows a segment's failure (a read error, a regex timeout).</summary>
            public void Wait()
            {
                lock (_gate)
                {
                    while (_done < results.Length)
                    {
                        Monitor.Wait(_gate);
                    }
                }

                _failure?.Throw();
            }
        }

        /// <summary>
        /// Counts the matching lines that start in [<paramref name="from"/>, <paramref name="to"/>) of the file (read no
        /// further than <paramref name="length"/>); <paramref name="newlines"/> is the line breaks of those lines, which
        /// is the number of lines for every segment but the file's last. With <paramref name="skipPartial"/> the line
        /// that <paramref name="from"/> falls in belongs to the segment before, unless it starts exactly there.
        /// </summary>
        private static int ScanRange(
            Reader reader, long from, long to, long length, bool skipPartial, LineMatcher matcher, int chunkBytes, MatchedLines? lines, out int newlines)
        {
            newlines = 0;
            var count = 0;
            var buffer = ArrayPool<byte>.Shared.Rent(chunkBytes);
            try
            {
                // buffer[0] is at file offset `offset`; `filled` bytes are valid.
                var offset = skipPartial ? from - 1 : from;
                var filled = 0;
                var ended = false;
                Fill(buffer.Length);
                var start = 0;
                if (skipPartial)
                {
                    // The first line of this segment starts after the first line break at or after from - 1.
                    while (true)
                    {
                        var newline = buffer.AsSpan(0, filled).IndexOf((byte)'\n');
                        if (newline >= 0)
                        {
                            start = newline + 1;
                            break;
                        }

                        if (ended)
                        {
                            return 0;
                        }

                        offset += filled;
                        filled = 0;
                        Fill(buffer.Length);
                    }

                    if (offset + start >= to || (ended && start >= filled))
                    {
                        return 0;
                    }
                }

                while (true)
                {
                    var text = buffer.AsSpan(start, filled - start);
                    var textOffset = offset + start;
                    int scanned;
                    var last = false;
                    var end = to - 1 - textOffset; // where the line break ending this segment's last line can start
                    var clipped = to < length && end < text.Length ? text[(int)Math.Max(0, end)..].IndexOf((byte)'\n') : -1;
                    if (clipped >= 0)
                    {
                        scanned = (int)Math.Max(0, end) + clipped + 1;
                        last = true;
                    }
                    else if (ended)
                    {
                        scanned = text.Length;
                        last = true;
                    }
                    else
                    {
                        var lastBreak = text.LastIndexOf((byte)'\n');
                        if (lastBreak < 0)
                        {
                            // One line longer than the buffer: grow it and read on.
                            var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(2L * buffer.Length, length + 1));
                            text.CopyTo(larger);
                            ArrayPool<byte>.Shared.Return(buffer);
                            buffer = larger;
                            offset = textOffset;
                            filled = text.Length;
                            start = 0;
                            Fill(buffer.Length);
                            continue;
                        }

                        scanned = lastBreak + 1;
                    }

                    if (scanned > 0)
                    {
                        var piece = buffer.AsSpan(start, scanned);
                        if (lines is not null)
                        {
                            lines.OffsetBase = textOffset;
                            lines.LineBase = newlines;
                        }

                        count += matcher.Scan(piece, lines, firstOnly: false);
                        newlines += piece.Count((byte)'\n');
                    }

                    if (last)
                    {
                        return count;
                    }

                    // Carry the partial last line to the front and read on behind it.
                    buffer.AsSpan(start + scanned, filled - start - scanned).CopyTo(buffer);
                    offset = textOffset + scanned;
                    filled -= start + scanned;
                    start = 0;
                    Fill(buffer.Length);
                }

                // Reads until the buffer holds `upTo` bytes, the size seen is reached, or the file ends.
                void Fill(int upTo)
                {
                    while (filled < upTo && offset + filled < length)
                    {
                        var read = reader.Read(buffer.AsSpan(filled, (int)Math.Min(upTo - filled, length - offset - filled)), offset + filled);
                        if (read == 0)
                        {
                            ended = true;
                            return;
                        }

                        filled += read;
                    }

                    ended |= offset + filled >= length;
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }
}
