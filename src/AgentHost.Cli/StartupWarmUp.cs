using AgentHost.Agent.Service;
using AgentHost.Hosting.Configuration;

namespace AgentHost.Cli;

/// <summary>
/// Process-wide one-time set-up that a command opening a session will need, started on a pool thread as the process
/// starts, so that it overlaps the command line, the configuration and the plugin loads on the second core instead of
/// waiting on the way to the first model request: YamlDotNet's parser statics (a compiled regular expression the first
/// configuration file would build on the main thread) and the kernel's <c>skill</c> and <c>ask_user</c> functions
/// (reflection and JSON schema). Nothing here reads a file or depends on the command line; each step is an idempotent,
/// thread-safe cache fill, which the real use completes itself if the warm-up has not (or has failed).
/// </summary>
internal static class StartupWarmUp
{
    /// <summary>The commands that open a session (besides no command at all, which opens the chat).</summary>
    private static readonly string[] SessionCommands = ["run", "chat", "workflow"];

    /// <summary>Whether a command line opens a session: <c>agent run …</c>, <c>agent chat</c>, <c>agent workflow …</c>, or <c>agent [options]</c>.</summary>
    /// <param name="args">The command line.</param>
    /// <returns>Whether the warm-up applies.</returns>
    public static bool Applies(IReadOnlyList<string> args) =>
        args.Count == 0 || args[0].StartsWith('-') || Array.IndexOf(SessionCommands, args[0]) >= 0;

    /// <summary>Starts the warm-up for a command line that opens a session; otherwise does nothing.</summary>
    /// <param name="args">The command line.</param>
    /// <returns>The warm-up (never faulted), or a completed task.</returns>
    public static Task Start(IReadOnlyList<string> args) => Applies(args) ? Task.Run(Run) : Task.CompletedTask;

    private static void Run()
    {
        // In the order they are needed: the configuration first, the kernel tools when the session opens.
        Try(YamlConfigLoader.Prepare);
        Try(AgentSessionService.PrepareKernelTools);
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
