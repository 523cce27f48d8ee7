using System.Diagnostics;
using System.Text;
using AgentHost.Common.Processes;

namespace AgentHost.Agent.Hooks;

/// <summary>How one hook command ran.</summary>
/// <param name="ExitCode">Its exit code; <see langword="null"/> when it timed out or could not start.</param>
/// <param name="Stdout">Its standard output (capped).</param>
/// <param name="Stderr">Its standard error (capped), or why it could not start.</param>
/// <param name="Duration">How long it ran.</param>
public sealed record HookProcessResult(int? ExitCode, string Stdout, string Stderr, TimeSpan Duration)
{
    /// <summary>Whether it was killed at its time limit (with its process tree).</summary>
    public bool TimedOut { get; init; }

    /// <summary>Whether it could not be started at all.</summary>
    public bool FailedToStart { get; init; }

    /// <summary>Whether its output or error was cut at <see cref="HookRunner.MaxOutputCharacters"/>.</summary>
    public bool Truncated { get; init; }
}

/// <summary>
/// Runs one command hook through the platform shell (<c>/bin/sh -c</c>, or <c>cmd /d /s /c</c> on Windows) in the
/// project root, with the event JSON on standard input, under its time limit (the process tree is killed when it
/// passes), keeping at most <see cref="MaxOutputCharacters"/> of each output stream.
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
public static class HookRunner
{
    /// <summary>The most characters of standard output and of standard error kept (64 Ki); the rest is read and dropped.</summary>
    public const int MaxOutputCharacters = 64 * 1024;

    /// <summary>Runs a hook.</summary>
    /// <param name="hook">The hook.</param>
    /// <param name="input">The event JSON.</param>
    /// <param name="projectRoot">The working directory (and <c>CLAUDE_PROJECT_DIR</c>).</param>
    /// <param name="cancellationToken">Cancellation: kills the tree and throws.</param>
    /// <returns>How it ran.</returns>
    public static async Task<HookProcessResult> RunAsync(HookDefinition hook, string input, string projectRoot, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(hook);
        ArgumentNullException.ThrowIfNull(input);
        var started = Stopwatch.GetTimestamp();
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["CLAUDE_PROJECT_DIR"] = projectRoot,
            ["AGENT_PROJECT_DIR"] = projectRoot,
        };
        if (hook.PluginRoot is { } pluginRoot)
        {
            environment["CLAUDE_PLUGIN_ROOT"] = pluginRoot;
            environment["AGENT_PLUGIN_ROOT"] = pluginRoot;
        }

        var spec = OperatingSystem.IsWindows()
            ? new ProcessSpec(Environment.GetEnvironmentVariable("ComSpec") is { Length: > 0 } comSpec ? comSpec : Path.Combine(Environment.SystemDirectory, "cmd.exe"), [])
            {
                RawArguments = "/d /s /c \"" + hook.Command + "\"",
            }
            : new ProcessSpec("/bin/sh", ["-c", hook.Command]);
        spec = spec with
        {
            WorkingDirectory = Directory.Exists(projectRoot) ? projectRoot : null,
            Environment = environment,
            KeepInputOpen = true,
            Purpose = "hook",
        };

        OwnedProcess process;
        try
        {
            process = ProcessLauncher.Start(spec);
        }
        catch (ProgramStartException ex)
        {
            return new HookProcessResult(null, string.Empty, ex.Message, Stopwatch.GetElapsedTime(started)) { FailedToStart = true };
        }

        using (process)
        {
            var stdout = ReadCappedAsync(process.Process.StandardOutput);
            var stderr = ReadCappedAsync(process.Process.StandardError);
            var write = WriteInputAsync(process.Process.StandardInput, input);
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(hook.Timeout);
            var timedOut = false;
            try
            {
                await process.Process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill();
                cancellationToken.ThrowIfCancellationRequested();
                timedOut = true;
            }

            // A tree that was killed closes its pipes; one whose descendants escaped still cannot hold the run.
            var (outText, outCut) = await CollectAsync(stdout).ConfigureAwait(false);
            var (errText, errCut) = await CollectAsync(stderr).ConfigureAwait(false);
            await write.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            return new HookProcessResult(timedOut ? null : process.Process.ExitCode, outText, errText, Stopwatch.GetElapsedTime(started))
            {
                TimedOut = timedOut,
                Truncated = outCut || errCut,
            };
        }
    }

    private static async Task<(string Text, bool Truncated)> CollectAsync(Task<(string Text, bool Truncated)> reading)
    {
        try
        {
            return await reading.WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return (string.Empty, false);
        }
        catch (IOException)
        {
            return (string.Empty, false);
        }
    }

    private static async Task WriteInputAsync(StreamWriter writer, string input)
    {
        try
        {
            await writer.WriteAsync(input).ConfigureAwait(false);
            await writer.FlushAsync().ConfigureAwait(false);
        }
        catch (IOException)
        {
            // It exited, or closed its input, without reading it all.
        }
        catch (ObjectDisposedException)
        {
        }
        finally
        {
            try
            {
                writer.Close();
            }
            catch (IOException)
            {
            }
        }
    }

    private static async Task<(string Text, bool Truncated)> ReadCappedAsync(StreamReader reader)
    {
        var builder = new StringBuilder();
        var buffer = new char[8192];
        var truncated = false;
        int read;
        while ((read = await reader.ReadAsync(buffer.AsMemory()).ConfigureAwait(false)) > 0)
        {
            var room = MaxOutputCharacters - builder.Length;
            if (read > room)
            {
                truncated = true;
            }

            if (room > 0)
            {
                builder.Append(buffer, 0, Math.Min(room, read));
            }
        }

        return (builder.ToString(), truncated);
    }
}
