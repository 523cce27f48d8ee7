using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using AgentHost.Agent.Hooks;
using AgentHost.Agent.Runs;
using AgentHost.Hosting;
using AgentHost.Hosting.Events;
using AgentHost.Hosting.Trust;
using AgentHost.Permissions;
using AgentHost.Permissions.Rules;
using AgentHost.Permissions.Sandbox;

namespace AgentHost.Cli.Commands.Sandbox;

/// <summary>
/// <c>agent sandbox check -- COMMAND…</c>: runs a command line in the sandbox a shell call of this project would get
/// (the configured <c>sandbox.network</c> rules and <c>sandbox.network_domains</c> decide the network), and prints how
/// it ran, its output, the lines where the sandbox refused something and what its network proxy refused — for users writing rules. It runs even when <c>sandbox.mode</c> is off (that
/// is what it checks), and refuses to run unsandboxed.
/// </summary>
internal sealed class SandboxCheckCommand : AgentCommand
{
    /// <summary>What a refusal by the sandbox looks like in a program's error output.</summary>
    private static readonly string[] Refusals = ["Read-only file system", "Network is unreachable", "Connection refused", "No such file or directory", "Permission denied", "Could not resolve host", "Temporary failure in name resolution"];

    private readonly Argument<string[]> _command = new("command") { Description = "The command line (after --), run by /bin/sh -c.", Arity = ArgumentArity.OneOrMore };
    private readonly Option<bool> _json = new("--json") { Description = "Print JSON." };
    private readonly Option<int> _timeout = new("--timeout") { Description = "Seconds the command may run (default 60).", DefaultValueFactory = _ => 60 };

    public SandboxCheckCommand(CliContext context)
        : base("check", "Run a command in the sandbox and report what it was refused (writes, hidden files, network).", context)
    {
        Arguments.Add(_command);
        Options.Add(_json);
        Options.Add(_timeout);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var command = string.Join(' ', parseResult.GetValue(_command) ?? []);
        if (string.IsNullOrWhiteSpace(command))
        {
            throw new AgentHostException(ErrorKind.Usage, "give the command to check after --, e.g. agent sandbox check -- cat ~/.ssh/id_rsa");
        }

        var configuration = Context.Configuration(parseResult);
        var root = configuration.ProjectRoot;
        var policy = PermissionPolicy.FromConfiguration(configuration, ProjectTrust.Load(AgentPaths.Resolve(Context.Environment)));
        await using var events = new EventBus(Microsoft.Extensions.Logging.Abstractions.NullLogger<EventBus>.Instance);
        using var sandboxes = RunSandbox.Create(configuration, Context.Environment, root, policy, "check-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture), SandboxMode.Required, events);
        var sandbox = await sandboxes.ForAsync(command, cancellationToken: cancellationToken).ConfigureAwait(false);
        HookProcessResult result;
        try
        {
            result = await HookRunner.RunCommandAsync(command, null, root, new Dictionary<string, string?>(), TimeSpan.FromSeconds(Math.Max(1, parseResult.GetValue(_timeout))), sandbox: sandbox, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (sandbox?.TempDirectory is { } temp && Directory.Exists(temp))
            {
                Directory.Delete(temp, recursive: true);
            }
        }

        var refused = result.Stderr.Split('\n').Where(line => Refusals.Any(r => line.Contains(r, StringComparison.Ordinal))).Select(line => line.Trim())
            .Concat(sandboxes.NetworkRefusalsSince(0).Select(refusal => refusal.ToString())).ToList();
        if (parseResult.GetValue(_json))
        {
            Context.Console.WriteDataLine(JsonSerializer.Serialize(new
            {
                command,
                sandbox = result.FailedToStart ? null : result.Sandbox,
                ran = !result.FailedToStart,
                exit_code = result.ExitCode,
                stdout = result.Stdout,
                stderr = result.Stderr,
                refused,
                writable = sandbox?.WritablePaths,
                read_only = sandbox?.ReadOnlyPaths.Where(Path.Exists),
                hidden = sandbox?.HiddenPaths.Where(Path.Exists),
            }));
            return result.FailedToStart ? ExitCodes.Failure : ExitCodes.Success;
        }

        if (result.FailedToStart)
        {
            Context.Console.WriteError("not run: " + result.Stderr);
            return ExitCodes.Failure;
        }

        Context.Console.WriteLine($"sandbox: {result.Sandbox}");
        Context.Console.WriteLine($"  writable: {string.Join(", ", sandbox!.WritablePaths.Append(sandbox.TempDirectory).OfType<string>())}");
        Context.Console.WriteLine($"  read-only inside: {string.Join(", ", sandbox.ReadOnlyPaths.Where(Path.Exists))}");
        Context.Console.WriteLine($"  hidden: {string.Join(", ", sandbox.HiddenPaths.Where(Path.Exists))}");
        Context.Console.WriteLine($"exit code: {result.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "none"}{(result.TimedOut ? " (timed out)" : string.Empty)}");
        foreach (var (label, text) in new[] { ("stdout", result.Stdout), ("stderr", result.Stderr) }.Where(p => p.Item2.Length > 0))
        {
            Context.Console.WriteLine($"{label}:\n  {text.TrimEnd().ReplaceLineEndings("\n  ")}");
        }

        Context.Console.WriteLine(refused.Count == 0 ? "refused: nothing the sandbox is known to refuse showed in its error output" : "refused:\n  " + string.Join("\n  ", refused));
        return ExitCodes.Success;
    }
}
