using AgentHost.Agent.Service;
using AgentHost.Hosting.Configuration;

namespace AgentHost.Cli;

/// <summary>
/// Process-wide one-time set-up that a command will need, started on a pool thread as the process starts, so that it overlaps the command line, the configuration and the plugin loads on the second core instead of
/// waiting on the way to the first model request: YamlDotNet's parser statics (a compiled regular expression the first
/// configuration file would build on the main thread) and the kernel's <c>skill</c> and <c>ask_user</c> functions
/// (reflection and JSON schema). Nothing here reads a file or depends on the command line; each step is an idempotent,
/// thread-safe cache fill, which the real use completes itself if the warm-up has not (or has failed).
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
    public static Task Start(IReadOnlyList<string> args) => PlanFor(args) switch
    {
        Plan.Session => Task.Run(static () => Run(session: true)),
        Plan.Yaml => Task.Run(static () => Run(session: false)),
        _ => Task.CompletedTask,
    };

    private static void Run(bool session)
    {
        // In the order they are needed: the configuration first, the kernel tools when the session opens.
        Try(YamlConfigLoader.Prepare);
        if (session)
        {
            Try(AgentSessionService.PrepareKernelTools);
        }
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
