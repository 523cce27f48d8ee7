using System.ComponentModel;
using AgentHost.Sdk;
using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Tools;
using Microsoft.Extensions.AI;

namespace AgentHost.Plugins.Shell;

/// <summary>Registers the <c>shell</c> tool and the background-job tools <c>job_list</c>, <c>job_output</c> and <c>job_kill</c>.</summary>
public sealed class ShellPlugin : AgentPlugin
{
    /// <summary>Added to the longest allowed command time, so the host's own time limit never cuts the tool's first.</summary>
    private static readonly TimeSpan HostLimitMargin = TimeSpan.FromSeconds(30);

    protected override void RegisterCore(IPluginBuilder builder)
    {
        var settings = ShellSettings.Parse(builder.Context.Settings);
        var jobs = new JobTable(settings, TimeProvider.System);
        var shell = new ShellTool(settings, jobs, TimeProvider.System);

        // Jobs die with the plugin: Stopping is cancelled when it is unloaded and when the host shuts down.
        builder.Context.Stopping.Register(jobs.Dispose);

        builder.AddTool(
            "shell",
            Description(shell.Kind),
            new ToolMetadata(ToolEffect.Execute)
            {
                DescribeCall = args => new ToolCallDescription("run", args.GetOptionalString("command")) { WorkingDirectory = args.GetOptionalString("workdir") },
                Timeout = settings.MaxTimeout + HostLimitMargin,
                Deferred = false,
                Sandboxed = true,
            },
            ([Description("The command line.")] string command,
             [Description("Time limit in ms.")] int? timeout_ms = null,
             [Description("Folder to run in, relative to the project root.")] string? workdir = null,
             [Description("Run as a background job; returns its id.")] bool run_in_background = false,
             [Description("What it does, in a few words.")] string? description = null,
             AIFunctionArguments arguments = null!,
             CancellationToken cancellationToken = default) =>
                shell.RunAsync(arguments.GetWorkspacePaths(), command, timeout_ms, workdir, run_in_background, arguments.GetProcessSandbox(), arguments.GetProcessEnvironment(), cancellationToken));

        builder.AddTool(
            "job_list",
            "Lists the background jobs started with shell run_in_background (running and recently finished): id, status and command.",
            new ToolMetadata(ToolEffect.None) { DescribeCall = _ => new ToolCallDescription("job_list", null), Deferred = true },
            () => jobs.List());
        builder.AddTool(
            "job_output",
            "Shows a background job's status (running, or its exit code) and the output it wrote since the last job_output call.",
            new ToolMetadata(ToolEffect.None) { DescribeCall = args => new ToolCallDescription("job_output", args.GetOptionalString("job_id")), Deferred = true },
            ([Description("The job id returned by shell with run_in_background.")] string job_id,
             [Description("Output position to read from (from an earlier job_output); default: where the last read stopped. 0 rereads what is kept.")] long? since = null) =>
                jobs.Output(job_id, since));
        builder.AddTool(
            "job_kill",
            "Stops a background job and every process it started.",
            new ToolMetadata(ToolEffect.Execute) { DescribeCall = args => new ToolCallDescription("kill", args.GetOptionalString("job_id")), Deferred = true },
            ([Description("The job id returned by shell with run_in_background.")] string job_id) => jobs.Kill(job_id));
    }

    private static string Description(ShellKind kind) =>
        (kind switch
        {
            ShellKind.PowerShell => "Runs a PowerShell command line",
            ShellKind.Cmd => "Runs a cmd.exe command line",
            _ => "Runs a bash command line",
        })
        + " in the project root; returns the exit code, stdout and stderr. No input: pass flags such as --yes. "
        + "Commands over the time limit are killed; run servers in the background. Use the file tools for files.";

}
