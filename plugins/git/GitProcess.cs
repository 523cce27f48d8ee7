using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using AgentHost.Common.Git;
using AgentHost.Common.Processes;
using AgentHost.Sdk.Tools;

namespace AgentHost.Plugins.Git;

/// <summary>One git command to run.</summary>
/// <param name="Arguments">The git arguments after the global options (sub-command first).</param>
internal sealed record GitCommand(IReadOnlyList<string> Arguments)
{
    /// <summary>A read-only command: no optional locks (git status does not rewrite the index) and the C locale for parsing.</summary>
    public bool ReadOnly { get; init; } = true;

    /// <summary>More <c>-c name=value</c> options, after the safe-git ones (so they win), before the sub-command.</summary>
    public IReadOnlyList<string> Configuration { get; init; } = [];

    /// <summary>Text written to git's standard input, which is then closed; <see langword="null"/> closes it at once.</summary>
    public string? Input { get; init; }

    /// <summary>How much standard output to keep; a read-only command is stopped once it writes more (others run to the end).</summary>
    public int MaxOutputCharacters { get; init; } = 1_000_000;
}

/// <summary>What a git command did.</summary>
/// <param name="ExitCode">Its exit code.</param>
/// <param name="Output">Standard output (at most the command's limit).</param>
/// <param name="Error">Standard error (head and tail when long): git's messages and hook output.</param>
/// <param name="Truncated">Whether standard output went over the limit (only its head is kept).</param>
internal sealed record GitResult(int ExitCode, string Output, string Error, bool Truncated)
{
    /// <summary>Whether a read-only command was stopped by us after writing enough.</summary>
    public bool Stopped { get; init; }

    /// <summary>Whether git succeeded, or was stopped by us after writing enough.</summary>
    public bool Succeeded => ExitCode == 0 || Stopped;

    /// <summary>git's messages: standard error and standard output, trimmed.</summary>
    public string Messages => string.Join('\n', new[] { Error.Trim(), Output.Trim() }.Where(s => s.Length > 0));
}

/// <summary>
/// Runs git as a child process through the host's launcher: git found on absolute PATH entries only (never in the
/// project), arguments as a list (never through a shell), the safe-git options (<see cref="SafeGit"/>: no pager, editor,
/// prompt, fsmonitor, external diff, repository filters; no hooks for reads), stdout and stderr read concurrently and
/// bounded, the whole process tree killed on cancellation or timeout.
/// </summary>
internal static class GitProcess
{
    /// <summary>Variables that would point git at another repository than the one holding the project root.</summary>
    private static readonly string[] RepositoryVariables =
        ["GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_COMMON_DIR", "GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_NAMESPACE", "GIT_PREFIX"];

    /// <summary>How long to wait for the output to close after git exited (a hook may have left a process holding it).</summary>
    private static readonly TimeSpan OutputGrace = TimeSpan.FromSeconds(2);

    private const int MaxErrorCharacters = 16_000;

    public static async Task<GitResult> RunAsync(
        string program, string workingDirectory, GitCommand command, TimeSpan timeout, IReadOnlyDictionary<string, string?>? driverOverrides,
        IReadOnlyDictionary<string, string>? environment, CancellationToken cancellationToken)
    {
        var spec = Spec(program, workingDirectory, command, driverOverrides, environment);
        using var owned = Start(spec, program);
        var process = owned.Process;

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        using var kill = limit.Token.Register(() => Kill(process));
        var stdout = new StringBuilder();
        var truncated = false;
        var stdoutTask = Task.Run(() => PumpAsync(process.StandardOutput, text =>
        {
            lock (stdout)
            {
                if (truncated)
                {
                    return;
                }

                var room = command.MaxOutputCharacters - stdout.Length;
                stdout.Append(text.AsSpan(0, Math.Min(room, text.Length)));
                if (text.Length > room)
                {
                    truncated = true;
                    if (command.ReadOnly)
                    {
                        // Enough: stop git rather than read the rest. A command that changes something is never cut short.
                        Kill(process);
                    }
                }
            }
        }), CancellationToken.None);
        var stderr = new HeadAndTail(MaxErrorCharacters);
        var stderrTask = Task.Run(() => PumpAsync(process.StandardError, stderr.Append), CancellationToken.None);
        await WriteInputAsync(process.StandardInput, command.Input).ConfigureAwait(false);

        try
        {
            await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            cancellationToken.ThrowIfCancellationRequested();
            var soFar = stderr.ToString().Trim();
            throw new ToolException(string.Create(
                CultureInfo.InvariantCulture,
                $"git {command.Arguments[0]} did not finish within {timeout.TotalSeconds:0.#} s and was stopped (setting {GitSettings.Prefix}timeout_ms); a hook or a lock may be waiting.")
                + (soFar.Length > 0 ? "\ngit's output so far:\n" + soFar : string.Empty));
        }

        try
        {
            await Task.WhenAll(stdoutTask, stderrTask).WaitAsync(OutputGrace, CancellationToken.None).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // git exited, but something a hook started in the background still holds its output: keep what arrived.
        }

        lock (stdout)
        {
            return new GitResult(process.ExitCode, stdout.ToString(), stderr.ToString(), truncated) { Stopped = truncated && command.ReadOnly };
        }
    }

    /// <summary>
    /// The start specification: the safe-git options and environment (<see cref="SafeGit"/>), then ours, then the command,
    /// over <paramref name="baseEnvironment"/> (the one the host built for the call, never the agent's own: a repository's
    /// configuration, hooks and filters cannot read the server's token or keys), or the host's when <see langword="null"/>.
    /// </summary>
    public static ProcessSpec Spec(string program, string workingDirectory, GitCommand command, IReadOnlyDictionary<string, string?>? driverOverrides, IReadOnlyDictionary<string, string>? baseEnvironment)
    {
        // Global options: paths printed as they are (UTF-8, not octal-quoted), no colours, pathspecs taken literally (no
        // globs or ':(top)' magic that could reach outside the project), run in the project root; and none of the
        // programs a repository's configuration can name.
        List<string> arguments =
        [
            .. SafeGit.GlobalArguments(command.ReadOnly),
            "--literal-pathspecs", "-c", "core.quotepath=off", "-c", "color.ui=never", "-C", workingDirectory,
            .. command.Configuration.SelectMany(setting => (string[])["-c", setting]),
            .. command.ReadOnly ? SafeGit.WithSubcommandSwitches(command.Arguments) : command.Arguments,
        ];
        var environment = SafeGit.Environment(command.ReadOnly);
        foreach (var name in RepositoryVariables)
        {
            environment[name] = null;
        }

        if (command.ReadOnly)
        {
            environment["LC_ALL"] = "C";
            environment["LANGUAGE"] = "C";
        }

        foreach (var (key, value) in driverOverrides ?? new Dictionary<string, string?>())
        {
            environment[key] = value;
        }

        return new ProcessSpec(program, arguments)
        {
            WorkingDirectory = workingDirectory,
            BaseEnvironment = baseEnvironment,
            Environment = environment,
            KeepInputOpen = true,
            RefusedRoots = [workingDirectory],
            Purpose = "git",
        };
    }

    private static OwnedProcess Start(ProcessSpec spec, string program)
    {
        try
        {
            return ProcessLauncher.Start(spec);
        }
        catch (ProgramStartException ex)
        {
            throw new ToolException($"could not start git ({program}): {ex.Message}. Check that git is installed and executable, or set {GitSettings.Prefix}program.");
        }
    }

    private static async Task WriteInputAsync(StreamWriter input, string? text)
    {
        try
        {
            if (text is not null)
            {
                await input.WriteAsync(text).ConfigureAwait(false);
                await input.FlushAsync().ConfigureAwait(false);
            }

            input.Close();
        }
        catch (IOException)
        {
            // git exited without reading its input; its exit code and messages tell why.
        }
    }

    private static async Task PumpAsync(StreamReader reader, Action<string> sink)
    {
        var buffer = new char[8192];
        try
        {
            int read;
            while ((read = await reader.ReadAsync(buffer.AsMemory()).ConfigureAwait(false)) > 0)
            {
                sink(new string(buffer, 0, read));
            }
        }
        catch (IOException)
        {
            // The pipe broke: git was killed mid-write.
        }
        catch (ObjectDisposedException)
        {
            // The output was abandoned (a hook's process still held it) and the process disposed.
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (Exception ex) when (ex is InvalidOperationException or Win32Exception)
        {
            // Already exited or disposed, or a process of the tree exited while it was being killed.
        }
    }

    /// <summary>Keeps the first and last characters of a long text.</summary>
    private sealed class HeadAndTail(int capacity)
    {
        private readonly StringBuilder _head = new();
        private readonly StringBuilder _tail = new();
        private long _omitted;

        public void Append(string text)
        {
            lock (_head)
            {
                var half = capacity / 2;
                var toHead = Math.Min(text.Length, half - _head.Length);
                _head.Append(text.AsSpan(0, Math.Max(0, toHead)));
                _tail.Append(text.AsSpan(Math.Max(0, toHead)));
                if (_tail.Length > capacity)
                {
                    var drop = _tail.Length - half;
                    _tail.Remove(0, drop);
                    _omitted += drop;
                }
            }
        }

        public override string ToString()
        {
            lock (_head)
            {
                return _omitted == 0
                    ? _head.ToString() + _tail
                    : string.Create(CultureInfo.InvariantCulture, $"{_head}\n[… {_omitted} characters omitted …]\n{_tail}");
            }
        }
    }
}
