using System.Text;

namespace AgentHost.Common.Processes;

/// <summary>Running a short program to its end without a task: for callers that are synchronous by contract.</summary>
public static partial class ProcessLauncher
{
    /// <summary>
    /// <see cref="RunAsync"/> for a synchronous caller (a secret read while configuration is resolved): the same start,
    /// input, caps and time limit, on the calling thread. Standard output is read here; standard error by the process's
    /// own reader, line by line (each line ends with <c>\n</c>). The whole process tree is killed when
    /// <paramref name="timeout"/> passes.
    /// </summary>
    /// <param name="spec">What to run.</param>
    /// <param name="timeout">How long it may take.</param>
    /// <param name="input">Text written to its standard input, which is then closed; <see langword="null"/> closes it at once.</param>
    /// <param name="maxOutputCharacters">The most standard-output characters kept; more stops the program (a read is then cut).</param>
    /// <returns>What it did.</returns>
    /// <exception cref="ProgramStartException">It was not found or could not be started.</exception>
    public static ProcessOutput Run(ProcessSpec spec, TimeSpan timeout, string? input = null, int maxOutputCharacters = 4_000_000)
    {
        ArgumentNullException.ThrowIfNull(spec);
        using var process = Start(spec with { KeepInputOpen = true });
        var timedOut = 0;
        using var limit = new Timer(
            _ =>
            {
                Volatile.Write(ref timedOut, 1);
                process.Kill();
            },
            null,
            timeout,
            Timeout.InfiniteTimeSpan);
        var error = new StringBuilder();
        process.Process.ErrorDataReceived += (_, e) =>
        {
            lock (error)
            {
                if (e.Data is { } line && error.Length < 64_000)
                {
                    error.Append(line.AsSpan(0, Math.Min(line.Length, 64_000 - error.Length))).Append('\n');
                }
            }
        };
        process.Process.BeginErrorReadLine();
        try
        {
            process.SendInput(input ?? string.Empty);
        }
        catch (IOException)
        {
            // It exited without reading its input; its exit code says why.
        }

        var output = ReadBounded(process.Process.StandardOutput, maxOutputCharacters, process.Kill);
        process.Process.WaitForExit();
        limit.Dispose();
        lock (error)
        {
            return Volatile.Read(ref timedOut) == 1
                ? new ProcessOutput(-1, output, error.ToString(), TimedOut: true)
                : new ProcessOutput(process.Process.ExitCode, output, error.ToString(), TimedOut: false);
        }
    }

    private static string ReadBounded(StreamReader reader, int max, Action enough)
    {
        var builder = new StringBuilder();
        var buffer = new char[8192];
        try
        {
            int read;
            while ((read = reader.Read(buffer)) > 0)
            {
                var room = max - builder.Length;
                builder.Append(buffer, 0, Math.Min(room, read));
                if (read > room)
                {
                    enough();
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            // The pipe broke: the program was killed mid-write.
        }

        return builder.ToString();
    }
}
