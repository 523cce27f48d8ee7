using System.CommandLine;
using AgentHost.Agent.Diagnostics;
namespace AgentHost.Cli.Commands.Diagnostics;

/// <summary><c>agent doctor</c>: checks the installation, one OK/FAIL line per check with the fix.</summary>
internal sealed class DoctorCommand : AgentCommand
{
    public DoctorCommand(CliContext context)
        : base("doctor", "Check the runtime, data folders, configuration, git, plugins, language servers and providers.", context)
    {
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        await using var runtime = Context.CreatePluginRuntime(parseResult);
        using var http = new HttpClient();
        var doctor = new Doctor(Context.Paths, Context.Configuration(parseResult), runtime, http, Context.Environment);
        var checks = await doctor.RunAsync(cancellationToken).ConfigureAwait(false);
        foreach (var check in checks)
        {
            var label = check.Status switch
            {
                DoctorStatus.Ok => "OK  ",
                DoctorStatus.Warn => "WARN",
                DoctorStatus.Fail => "FAIL",
                _ => "SKIP",
            };
            Context.Console.WriteLine($"{label} {check.Name}: {check.Detail}{(check.Fix is null ? string.Empty : " — fix: " + check.Fix)}");
        }

        return checks.Any(c => c.Status == DoctorStatus.Fail) ? ExitCodes.Failure : ExitCodes.Success;
    }
}
