using AgentHost.Cli.Startup;
using AgentHost.Cli;
using AgentHost.Cli.Interaction;
using AgentHost.Hosting;
namespace AgentHost.Tests.Support;

/// <summary>Runs the CLI in-process with captured output.</summary>
public static class CliRunner
{
    public static async Task<CliResult> RunAsync(HostEnvironment environment, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var console = new ConsoleInteraction(isInteractive: false, output, error, TextReader.Null);
        var code = await AgentProgram.RunAsync(args, console, ProviderIsolation.Apply(environment), CancellationToken.None);
        return new CliResult(code, output.ToString(), error.ToString());
    }
}
