using System.CommandLine;
using System.Reflection;
using System.Runtime.InteropServices;
using AgentHost.Cli;
using AgentHost.Cli.Interaction;
using AgentHost.Cli.Startup;
using AgentHost.Hosting;
using AgentHost.Hosting.Logging;
return await AgentProgram.RunAsync(args).ConfigureAwait(false);

namespace AgentHost.Cli.Startup
{
    /// <summary>The entry point: owns cancellation and the last catch.</summary>
    internal static class AgentProgram
    {
        public static async Task<int> RunAsync(string[] args)
        {
            // Fast path: `agent --version` pays for nothing else.
            if (args is ["--version"])
            {
                Console.Out.WriteLine(AgentVersion.Current);
                return ExitCodes.Success;
            }

            StartupActivities.Mark("cli.main");
            if (StartupWarmUp.PlanFor(args) != StartupWarmUp.Plan.None)
            {
                // The descriptor table grows once, off the main thread, before the assembly loads need it (DescriptorTable).
                _ = DescriptorTable.ReserveInBackground();
            }

            // Commands that open a session start their process-wide set-up on the second core now (StartupWarmUp).
            _ = StartupWarmUp.Start(args);
            StartupActivities.Mark("cli.warm-up-started");
            var environment = HostEnvironment.FromProcess();
            StartupActivities.Mark("cli.environment");
            var console = ConsoleInteraction.ForProcess(environment.Variables);
            StartupActivities.Mark("cli.console");
            using var cancellation = new CancellationTokenSource();
            ConsoleCancelEventHandler onCancel = (_, e) =>
            {
                e.Cancel = true;
                if (e.SpecialKey == ConsoleSpecialKey.ControlC && Chat.ChatInterrupts.TryHandle())
                {
                    return; // the chat cancelled its running turn or cleared its prompt
                }

                cancellation.Cancel();
            };
            Console.CancelKeyPress += onCancel;
            StartupActivities.Mark("cli.cancel-key");

            // SIGTERM (kill, a service manager, a CI runner's timeout) and SIGHUP (the terminal closed) cancel like Ctrl+C:
            // the run stops, tools kill their process trees, plugins stop. A second signal terminates at once.
            using var terminate = RegisterCancel(PosixSignal.SIGTERM, cancellation);
            using var hangUp = RegisterCancel(PosixSignal.SIGHUP, cancellation);
            StartupActivities.Mark("cli.signals");
            try
            {
                return await RunAsync(args, console, environment, cancellation.Token).ConfigureAwait(false);
            }
            finally
            {
                Console.CancelKeyPress -= onCancel;
            }
        }

        /// <summary>Prints a command line's errors (unknown options first, with their "did you mean") and returns the usage exit code.</summary>
        private static int ReportUsageErrors(IConsoleInteraction console, ParseResult parseResult, IReadOnlyList<UnknownOptions.Finding> unknown)
        {
            foreach (var finding in unknown)
            {
                console.WriteError(finding.Message);
            }

            // System.CommandLine reports an unknown word the command cannot take as "unrecognized": said once above already.
            foreach (var error in parseResult.Errors.Where(e => !unknown.Any(f => e.Message.Contains($"'{f.Word}'", StringComparison.Ordinal))))
            {
                console.WriteError(error.Message);
            }

            if (unknown.Any(f => f.TakesArguments))
            {
                var command = unknown.First(f => f.TakesArguments).Command;
                console.WriteInfo($"An argument that starts with '-' goes after '--': {command} -- \"-x …\".");
            }

            var path = unknown.Count > 0 ? unknown[0].Command : "agent";
            console.WriteInfo($"Run '{path} --help' for usage.");
            return ExitCodes.Usage;
        }

        private static PosixSignalRegistration? RegisterCancel(PosixSignal signal, CancellationTokenSource cancellation)
        {
            try
            {
                return PosixSignalRegistration.Create(signal, context =>
                {
                    if (cancellation.IsCancellationRequested)
                    {
                        return; // Second signal: the default action ends the process.
                    }

                    context.Cancel = true;
                    cancellation.Cancel();
                });
            }
            catch (PlatformNotSupportedException)
            {
                return null;
            }
        }

        public static async Task<int> RunAsync(string[] args, IConsoleInteraction console, HostEnvironment environment, CancellationToken cancellationToken)
        {
            await using var context = new CliContext(console, environment, new GlobalOptions());
            StartupActivities.Mark("cli.context");
            var root = CommandLineFactory.Create(context, args);
            StartupActivities.Mark("cli.tree");
            // No response files: '@path' is a context reference in agent prompts, not a file of arguments.
            var parseResult = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
            StartupActivities.Mark("cli.parsed");
            var verbose = parseResult.GetValue(context.GlobalOptions.Verbose);
            var unknown = parseResult.Action is System.CommandLine.Help.HelpAction ? [] : UnknownOptions.Find(parseResult);
            if (unknown.Count == 0 && parseResult.Action is not System.CommandLine.Help.HelpAction && UnknownCommands.Find(parseResult) is { } mistyped)
            {
                console.WriteError(mistyped.Message);
                console.WriteInfo($"Run '{mistyped.Command} --help' for usage.");
                return ExitCodes.Usage;
            }

            if ((parseResult.Errors.Count > 0 || unknown.Count > 0) && parseResult.Action is not System.CommandLine.Help.HelpAction)
            {
                return ReportUsageErrors(console, parseResult, unknown);
            }

            StartupActivities.Mark("cli.checked");
            try
            {
                // ProcessTerminationTimeout = null: Main owns Ctrl+C (one token for every command), not System.CommandLine.
                return await parseResult.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null }, cancellationToken)
                    .ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                console.WriteError("cancelled.");
                return ExitCodes.Cancelled;
            }
            catch (AgentHostException ex)
            {
                console.WriteError(ex.Message);
                if (verbose && ex.InnerException is not null)
                {
                    console.WriteInfo(ex.InnerException.ToString());
                }

                return ExitCodes.For(ex.Kind);
            }
#pragma warning disable CA1031 // The top-level boundary reports every failure instead of crashing.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                console.WriteError(verbose ? ex.ToString() : $"{ex.Message} (run with --verbose for details)");
                return ExitCodes.Failure;
            }
        }
    }
}
