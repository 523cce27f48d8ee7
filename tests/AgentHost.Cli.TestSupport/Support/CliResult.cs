namespace AgentHost.Tests.Support;

/// <summary>What a run of the CLI (a child process or in process) ended with: its exit code and what it printed.</summary>
public sealed record CliResult(int ExitCode, string Output, string Error);
