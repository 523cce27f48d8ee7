namespace AgentHost.Sdk.Events;

/// <summary>
/// A configured hook (a command run at a session event such as <c>PreToolUse</c>; see docs/hooks.md) ran and answered.
/// </summary>
/// <param name="SessionId">The session (empty outside one, e.g. <c>agent hooks test</c>).</param>
/// <param name="HookEvent">The hook event: <c>PreToolUse</c>, <c>PostToolUse</c>, <c>Stop</c>, ….</param>
/// <param name="Source">Where the hook is configured: a config file and line, or a plugin's hook file.</param>
/// <param name="Command">The command, secrets redacted.</param>
/// <param name="Outcome">
/// How it ended: <c>success</c>, <c>blocked</c> (exit code 2 or a blocking JSON answer), <c>error</c> (another exit
/// code, or the command could not start), <c>timeout</c> (killed at its time limit).
/// </param>
/// <param name="DurationMs">How long it ran, in milliseconds.</param>
public sealed record HookRanEvent(string SessionId, string HookEvent, string Source, string Command, string Outcome, double DurationMs) : SessionEvent(SessionId)
{
    /// <inheritdoc />
    public override string Type => "hook.ran";

    /// <summary>The exit code, when the command exited by itself.</summary>
    public int? ExitCode { get; init; }

    /// <summary>The tool the event is about (tool events), as the host names it.</summary>
    public string? Tool { get; init; }

    /// <summary>What the hook decided, when it decided something: <c>allow</c>, <c>deny</c>, <c>ask</c>, <c>block</c>, <c>continue:false</c>.</summary>
    public string? Decision { get; init; }

    /// <summary>The reason it gave (or its standard error on a failure), secrets redacted and capped.</summary>
    public string? Reason { get; init; }

    /// <summary>Whether its standard output or error was longer than the cap and was cut.</summary>
    public bool Truncated { get; init; }
}
