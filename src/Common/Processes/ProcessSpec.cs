using System.Text;
using AgentHost.Sdk.Tools;

namespace AgentHost.Common.Processes;

/// <summary>What to start: a program (a name searched on absolute PATH entries, or an absolute path), its arguments and how.</summary>
/// <param name="Program">A bare name (<c>git</c>) or an absolute path the user configured.</param>
/// <param name="Arguments">The arguments, passed as a list (never through a shell).</param>
public sealed record ProcessSpec(string Program, IReadOnlyList<string> Arguments)
{
    /// <summary>Where it runs; the process's current directory when <see langword="null"/>.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>
    /// The complete environment the program starts from instead of the host's own, or <see langword="null"/> (the
    /// default) to inherit the host's. A session's processes get one built for them (the server's allow-list, or the
    /// user's environment without the agent's settings and secret-named variables), so that the agent's secrets stay in
    /// its own process; <see cref="Environment"/> is then set over it.
    /// </summary>
    public IReadOnlyDictionary<string, string>? BaseEnvironment { get; init; }

    /// <summary>Variables to set (a <see langword="null"/> value removes the variable), over the inherited environment or <see cref="BaseEnvironment"/>.</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; init; } = new Dictionary<string, string?>();

    /// <summary>Folders whose programs a PATH search never returns (the project root).</summary>
    public IReadOnlyList<string> RefusedRoots { get; init; } = [];

    /// <summary>
    /// Whether the child's <c>PATH</c> keeps only absolute entries (the default), so that the programs it runs in turn
    /// (git's helpers, a language server's node) are not found in the project either.
    /// </summary>
    public bool AbsolutePathOnly { get; init; } = true;

    /// <summary>Whether standard input is a pipe the caller writes (otherwise it is redirected and closed at start).</summary>
    /// <remarks>With <see cref="DiesWithHost"/>, the input is given with <see cref="OwnedProcess.SendInputAsync"/>.</remarks>
    public bool KeepInputOpen { get; init; }

    /// <summary>
    /// Whether the program and everything it starts die with the host, however the host ends (SIGKILL included): on
    /// Linux its own process group under a watchdog (<see cref="ProcessGroupWatchdog"/>), on Windows a job object
    /// (<see cref="WindowsJob"/>); killing it then kills the group or the job. Elsewhere, and when the watchdog's
    /// programs are missing, only the process tree is killed (<see cref="OwnedProcess.DiesWithHost"/> says which).
    /// </summary>
    public bool DiesWithHost { get; init; }

    /// <summary>
    /// The sandbox to run the program in (<see cref="Bubblewrap"/> on Linux), or <see langword="null"/> for none. A
    /// sandbox whose backend cannot run here starts the program without it, unless <see cref="ProcessSandbox.Required"/>:
    /// then the start fails (<see cref="ProgramStartException.SandboxRefused"/>). Composes with <see cref="DiesWithHost"/>:
    /// the watchdog's group holds <c>bwrap</c>, which dies with it and takes the sandbox along.
    /// </summary>
    public ProcessSandbox? Sandbox { get; init; }

    /// <summary>The encoding of the output streams (UTF-8 without a byte-order mark by default).</summary>
    public Encoding OutputEncoding { get; init; } = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

    /// <summary>The encoding of the input stream (UTF-8 without a byte-order mark by default).</summary>
    public Encoding InputEncoding { get; init; } = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

    /// <summary>A raw Windows command line (cmd.exe's <c>/s /c "…"</c>) used instead of <see cref="Arguments"/>.</summary>
    public string? RawArguments { get; init; }

    /// <summary>What the program is for, named in error messages (<c>git</c>, <c>the language server 'yaml'</c>).</summary>
    public string? Purpose { get; init; }
}

/// <summary>What a finished program did.</summary>
/// <param name="ExitCode">Its exit code (-1 when it was stopped).</param>
/// <param name="Output">Its standard output.</param>
/// <param name="Error">Its standard error.</param>
/// <param name="TimedOut">Whether it was killed because it ran over its time limit.</param>
public sealed record ProcessOutput(int ExitCode, string Output, string Error, bool TimedOut);

/// <summary>The program could not be found or started; the message names it and the fix.</summary>
public sealed class ProgramStartException : Exception
{
    public ProgramStartException(string message)
        : base(message)
    {
    }

    public ProgramStartException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ProgramStartException()
    {
    }

    /// <summary>Whether the program was not found at all (as opposed to found but failing to start).</summary>
    public bool NotFound { get; init; }

    /// <summary>Whether it was not started because it must run in the sandbox and the sandbox cannot run here.</summary>
    public bool SandboxRefused { get; init; }
}
