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
    /// <summary>How it was sandboxed (<c>bubblewrap 0.8.0 (no network)</c>), or <see langword="null"/> when it ran without a sandbox.</summary>
    public string? Sandbox { get; init; }

    /// <summary>Whether it was killed at its time limit (with its process tree).</summary>
    public bool TimedOut { get; init; }

    /// <summary>Whether it could not be started at all.</summary>
    public bool FailedToStart { get; init; }

    /// <summary>Whether its output or error was cut at <see cref="HookRunner.MaxOutputCharacters"/>.</summary>
    public bool Truncated { get; init; }

    /// <summary>
    /// Whether it went on in the background: its first line of output was <c>{"async": true}</c> (Claude Code's
    /// protocol), so it was not waited for; it runs until it exits or its <c>asyncTimeout</c> passes.
    /// </summary>
    public bool Backgrounded { get; init; }
}

/// <summary>
/// Runs one command hook through the platform shell (<c>/bin/sh -c</c>, or <c>cmd /d /s /c</c> on Windows) in the
/// project root, with the event JSON on standard input, under its time limit (the process tree is killed when it
/// passes), keeping at most <see cref="MaxOutputCharacters"/> of each output stream. Values reach the command only as
/// environment variables (<c>CLAUDE_PROJECT_DIR</c>, <c>CLAUDE_PLUGIN_ROOT</c>, a workflow's inputs), never as its
/// text; and the command, with everything it starts, dies with the host (<see cref="ProcessSpec.DiesWithHost"/>).
/// A hook whose first line of output is <c>{"async": true}</c> goes on in the background (Claude Code's protocol).
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
    public static Task<HookProcessResult> RunAsync(HookDefinition hook, string input, string projectRoot, CancellationToken cancellationToken = default) =>
        RunAsync(hook, input, projectRoot, sandbox: null, baseEnvironment: null, cancellationToken);

    /// <summary>Runs a hook inside <paramref name="sandbox"/> (<c>sandbox.hooks</c>).</summary>
    /// <param name="hook">The hook.</param>
    /// <param name="input">The event JSON.</param>
    /// <param name="projectRoot">The working directory (and <c>CLAUDE_PROJECT_DIR</c>).</param>
    /// <param name="sandbox">The sandbox to run it in (<see cref="ProcessSpec.Sandbox"/>), or <see langword="null"/> for none.</param>
    /// <param name="baseEnvironment">The complete environment it starts from (<see cref="ProcessSpec.BaseEnvironment"/>), or <see langword="null"/> for the host's.</param>
    /// <param name="cancellationToken">Cancellation: kills the tree and throws.</param>
    /// <returns>How it ran.</returns>
    public static Task<HookProcessResult> RunAsync(
        HookDefinition hook, string input, string projectRoot, Sdk.Tools.ProcessSandbox? sandbox, IReadOnlyDictionary<string, string>? baseEnvironment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(hook);
        ArgumentNullException.ThrowIfNull(input);
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (hook.PluginRoot is { } pluginRoot)
        {
            foreach (var name in PluginRootReferences.Names)
            {
                environment[name] = pluginRoot;
            }
        }

        return RunCoreAsync(hook.Command, input, projectRoot, environment, hook.Timeout, delayedExpansion: false, sandbox, baseEnvironment, backgroundable: true, cancellationToken);
    }

    /// <summary>Runs a shell command the way hooks run (a workflow's shell node, too).</summary>
    /// <param name="command">The command: shell source the user or a plugin wrote, never built from values.</param>
    /// <param name="input">Text for its standard input; <see langword="null"/> for none (it reads end-of-file).</param>
    /// <param name="projectRoot">The working directory (and <c>CLAUDE_PROJECT_DIR</c>, <c>AGENT_PROJECT_DIR</c>).</param>
    /// <param name="environment">More variables: the values the command refers to.</param>
    /// <param name="timeout">How long it may run before its tree is killed.</param>
    /// <param name="delayedExpansion">On Windows, run <c>cmd /v:on</c>: <c>!NAME!</c> expands a variable after the line is parsed, so its value is never syntax (a workflow's shell node).</param>
    /// <param name="sandbox">The sandbox to run it in (<see cref="ProcessSpec.Sandbox"/>), or <see langword="null"/> for none.</param>
    /// <param name="baseEnvironment">The complete environment it starts from (<see cref="ProcessSpec.BaseEnvironment"/>: a workflow shell node's is built for what the model drives), or <see langword="null"/> for the host's.</param>
    /// <param name="cancellationToken">Cancellation: kills the tree and throws.</param>
    /// <returns>How it ran.</returns>
    public static Task<HookProcessResult> RunCommandAsync(
        string command,
        string? input,
        string projectRoot,
        IReadOnlyDictionary<string, string?> environment,
        TimeSpan timeout,
        bool delayedExpansion = false,
        Sdk.Tools.ProcessSandbox? sandbox = null,
        IReadOnlyDictionary<string, string>? baseEnvironment = null,
        CancellationToken cancellationToken = default) =>
        RunCoreAsync(command, input, projectRoot, environment, timeout, delayedExpansion, sandbox, baseEnvironment, backgroundable: false, cancellationToken);

    /// <param name="backgroundable">
    /// Whether a first output line <c>{"async": true, "asyncTimeout": MS}</c> lets the command go on in the background
    /// (a hook, as Claude Code runs it): the result is returned then, and the command is killed when it has not exited
    /// after <c>asyncTimeout</c> milliseconds (else its own time limit).
    /// </param>
    private static async Task<HookProcessResult> RunCoreAsync(
        string command,
        string? input,
        string projectRoot,
        IReadOnlyDictionary<string, string?> environment,
        TimeSpan timeout,
        bool delayedExpansion,
        Sdk.Tools.ProcessSandbox? sandbox,
        IReadOnlyDictionary<string, string>? baseEnvironment,
        bool backgroundable,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(environment);
        var started = Stopwatch.GetTimestamp();
        var variables = new Dictionary<string, string?>(environment, StringComparer.Ordinal)
        {
            ["CLAUDE_PROJECT_DIR"] = projectRoot,
            ["AGENT_PROJECT_DIR"] = projectRoot,
        };
        var spec = OperatingSystem.IsWindows()
            ? new ProcessSpec(Environment.GetEnvironmentVariable("ComSpec") is { Length: > 0 } comSpec ? comSpec : Path.Combine(Environment.SystemDirectory, "cmd.exe"), [])
            {
                RawArguments = (delayedExpansion ? "/d /v:on /s /c \"" : "/d /s /c \"") + command + "\"",
            }
            : new ProcessSpec("/bin/sh", ["-c", command]);
        spec = spec with
        {
            WorkingDirectory = Directory.Exists(projectRoot) ? projectRoot : null,
            BaseEnvironment = baseEnvironment,
            Environment = variables,
            KeepInputOpen = input is not null,
            DiesWithHost = true,
            RefusedRoots = Directory.Exists(projectRoot) ? [projectRoot] : [],
            Purpose = "hook",
            Sandbox = sandbox,
        };

        OwnedProcess process;
        var launching = Hosting.StartupActivities.Start("hook.launch");
        try
        {
            process = ProcessLauncher.Start(spec);
        }
        catch (ProgramStartException ex)
        {
            return new HookProcessResult(null, string.Empty, ex.Message, Stopwatch.GetElapsedTime(started)) { FailedToStart = true };
        }
        finally
        {
            launching?.Dispose();
        }

        var owned = true;
        try
        {
            var firstLine = backgroundable ? new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously) : null;
            var stdout = ReadCappedAsync(process.Process.StandardOutput, firstLine);
            var stderr = ReadCappedAsync(process.Process.StandardError);
            var writing = Hosting.StartupActivities.Start("hook.input");
            var write = input is null ? Task.CompletedTask : WriteInputAsync(process, input);
            writing?.Dispose();
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(timeout);
            var timedOut = false;
            try
            {
                var exit = process.Process.WaitForExitAsync(limit.Token);
                if (firstLine is not null
                    && await Task.WhenAny(exit, firstLine.Task).ConfigureAwait(false) == firstLine.Task
                    && !exit.IsCompleted
                    && await firstLine.Task.ConfigureAwait(false) is var line
                    && AsyncHookLine.TryRead(line, out var asyncTimeout))
                {
                    // It goes on by itself: this process and its reads now belong to the background task.
                    owned = false;
                    _ = FinishInBackgroundAsync(process, stdout, stderr, write, asyncTimeout ?? timeout);
                    return new HookProcessResult(null, line, string.Empty, Stopwatch.GetElapsedTime(started)) { Backgrounded = true, Sandbox = process.Sandbox?.Describe() };
                }

                await exit.ConfigureAwait(false);
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
                Sandbox = process.Sandbox?.Describe(),
                TimedOut = timedOut,
                Truncated = outCut || errCut,
            };
        }
        finally
        {
            if (owned)
            {
                process.Dispose();
            }
        }
    }

    /// <summary>A backgrounded hook: waits for it to exit, at most <paramref name="limit"/> (then kills its tree), and releases it.</summary>
    private static async Task FinishInBackgroundAsync(OwnedProcess process, Task<(string Text, bool Truncated)> stdout, Task<(string Text, bool Truncated)> stderr, Task write, TimeSpan limit)
    {
        using (process)
        {
            using var wait = new CancellationTokenSource(limit);
            try
            {
                await process.Process.WaitForExitAsync(wait.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill();
            }

            await CollectAsync(stdout).ConfigureAwait(false);
            await CollectAsync(stderr).ConfigureAwait(false);
            await write.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
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

    private static async Task WriteInputAsync(OwnedProcess process, string input)
    {
        try
        {
            await process.SendInputAsync(input).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // It exited, or closed its input, without reading it all.
        }
    }

    /// <param name="reader">The stream.</param>
    /// <param name="firstLine">Set to the first line once it is complete (or to all of the text at the end); <see langword="null"/> for none.</param>
    private static async Task<(string Text, bool Truncated)> ReadCappedAsync(StreamReader reader, TaskCompletionSource<string>? firstLine = null)
    {
        var builder = new StringBuilder();
        var buffer = new char[8192];
        var truncated = false;
        int read;
        try
        {
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

                if (firstLine is not null && !firstLine.Task.IsCompleted && Array.IndexOf(buffer, '\n', 0, read) >= 0)
                {
                    var text = builder.ToString();
                    firstLine.TrySetResult(text[..text.IndexOf('\n', StringComparison.Ordinal)]);
                }
            }
        }
        finally
        {
            firstLine?.TrySetResult(builder.ToString());
        }

        return (builder.ToString(), truncated);
    }
}
