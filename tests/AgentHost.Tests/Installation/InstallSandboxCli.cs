using AgentHost.Tests.Support;

namespace AgentHost.Tests.Installation;

/// <summary>Runs the CLI in an <see cref="InstallSandbox"/> (the sandbox itself, in the installation test support, knows no CLI).</summary>
internal static class InstallSandboxCli
{
    public static Task<CliResult> RunAsync(this InstallSandbox box, params string[] args) => CliRunner.RunAsync(box.Environment, args);
}
