using System.Runtime.InteropServices;
using AgentHost.Agent.Composition;
using AgentHost.Agent.Service;
using AgentHost.Hosting;
using AgentHost.Hosting.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AgentHost.Cli.Startup;

/// <summary>
/// Process-wide one-time set-up that a command will need, started on a thread of its own as the process starts, so
/// that it overlaps the command line, the configuration and the plugin loads on the second core instead of waiting on
/// the way to the first model request: the thread pool's first use, the composition root's container (a throw-away
/// provider), YamlDotNet's parser statics (a compiled regular expression the first configuration file would build on
/// the main thread) and a configuration document parsed and checked in memory, JSON's reader (the trust list), and the
/// kernel's <c>skill</c> and <c>ask_user</c> functions (created unbuilt: a run describes them from the schema cache).
/// Nothing here reads a file or depends on the command line; each step is an idempotent, thread-safe cache fill (or
/// first use) whose result is dropped, which the real use completes itself if the warm-up has not (or has failed).
/// Most of the start-up prefix is such first use (docs/decisions/0003-startup-warm-up-and-descriptor-table.md).
/// </summary>
internal static class StartupWarmUp
{
    /// <summary>The commands that open a session (besides no command at all, which opens the chat).</summary>
    private static readonly string[] SessionCommands = ["run", "chat", "workflow"];

    /// <summary>Options that print and exit before any configuration or plugin manifest is read.</summary>
    private static readonly string[] PrintOnlyOptions = ["--version", "--help", "-h", "-?"];

    /// <summary>What a command line warms up.</summary>
    internal enum Plan
    {
        /// <summary>Nothing: the command prints and exits (<c>--version</c>, <c>--help</c>).</summary>
        None,

        /// <summary>YamlDotNet's parser statics: every other command reads configuration files or plugin manifests.</summary>
        Yaml,

        /// <summary>YAML and the kernel's session tools: the command opens a session.</summary>
        Session,
    }

    /// <summary>
    /// What a command line warms up: a session's set-up for <c>agent run …</c>, <c>agent chat</c>, <c>agent workflow …</c>
    /// or <c>agent [options]</c>; the YAML parser for every other command; nothing for <c>--version</c> and <c>--help</c>.
    /// </summary>
    /// <param name="args">The command line.</param>
    /// <returns>The plan.</returns>
    public static Plan PlanFor(IReadOnlyList<string> args)
    {
        foreach (var arg in args)
        {
            if (Array.IndexOf(PrintOnlyOptions, arg) >= 0)
            {
                return Plan.None;
            }
        }

        return args.Count == 0 || args[0].StartsWith('-') || Array.IndexOf(SessionCommands, args[0]) >= 0
            ? Plan.Session
            : Plan.Yaml;
    }

    /// <summary>Starts the warm-up a command line needs (see <see cref="PlanFor"/>).</summary>
    /// <param name="args">The command line.</param>
    /// <returns>The warm-up (never faulted), or a completed task.</returns>
    /// <remarks>
    /// The warm-up runs on a thread of its own, not on the thread pool: the pool's first use (its types, its worker and
    /// gate threads, <c>Task.Run</c>'s machinery) would cost the main thread CPU at this point
    /// (docs/decisions/0003-startup-warm-up-and-descriptor-table.md). The warm-up thread makes that first use itself (an
    /// empty work item), so the main thread's later <c>Task.Run</c> (the session store's opening) finds the pool running.
    /// </remarks>
    public static Task Start(IReadOnlyList<string> args)
    {
        var plan = PlanFor(args);
        if (plan == Plan.None)
        {
            return Task.CompletedTask;
        }

        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            Run(plan == Plan.Session);
            done.SetResult();
        })
        {
            IsBackground = true,
            Name = "agent warm-up",
        };
        thread.Start();
        return done.Task;
    }

    private static void Run(bool session)
    {
        Try(static () => ThreadPool.UnsafeQueueUserWorkItem(static _ => { }, null));

        // In the order they are needed: the composition root, the configuration files and the trust list, then the
        // kernel tools when the session opens.
        Try(PrepareServices);
        Try(YamlConfigLoader.Prepare);
        Try(static () => System.Text.Json.JsonDocument.Parse(WarmUpTrustList).Dispose());
        if (session)
        {
            Try(AgentSessionService.PrepareKernelTools);
        }
    }

    /// <summary>A trust list in the shape of the real one, parsed (and dropped) so that the first real read finds JSON's code bound.</summary>
    internal const string WarmUpTrustList = "{\"version\":1,\"projects\":[{\"path\":\"/warm-up\",\"trusted_at\":\"2026-01-01T00:00:00+00:00\"}]}";

    /// <summary>
    /// Builds a throw-away service provider with the composition root's registrations and resolves <see cref="AgentPaths"/>
    /// from an environment of its own (a made-up <c>AGENT_HOME</c>; nothing is read or written), so that the dependency
    /// injection container's code and the registrations' types are loaded here, not on the main thread's first
    /// <c>Services</c>. The run's own provider is built by <see cref="CliContext"/> as before.
    /// </summary>
    private static void PrepareServices()
    {
        var home = Path.Combine(Path.GetTempPath(), "agent-warm-up");
        var environment = new HostEnvironment(new Dictionary<string, string>(StringComparer.Ordinal) { ["AGENT_HOME"] = home }, home, home, OSPlatform.Linux);
        using var services = new ServiceCollection().AddAgentHost(options =>
        {
            // The CLI's registrations (CliContext.Configure) without its console: nothing here logs or loads a plugin.
            options.Environment = environment;
            options.LogToFiles = true;
            options.UnloadablePlugins = false;
            options.LoadPluginsOnStart = false;
        }).BuildServiceProvider();
        _ = services.GetRequiredService<AgentPaths>();
    }

    private static void Try(Action step)
    {
        try
        {
            step();
        }
#pragma warning disable CA1031 // A warm-up never fails the run: the real use does the same work and reports its own errors.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }
}
