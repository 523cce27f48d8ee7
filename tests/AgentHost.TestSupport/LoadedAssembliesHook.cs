using System.Reflection;

#pragma warning disable CA1050 // A startup hook is a type named StartupHook in no namespace.

/// <summary>
/// A <c>DOTNET_STARTUP_HOOKS</c> entry point for tests of what a real <c>agent</c> process loads: when
/// <c>AGENT_TEST_LOADED_ASSEMBLIES</c> names a file, the process writes the simple names of every assembly it loaded to
/// it (one a line) as it exits. Start the process with <c>DOTNET_STARTUP_HOOKS</c> = <see cref="Path"/>.
/// </summary>
public static class StartupHook
{
    /// <summary>The hook assembly's path (this test-support assembly; only this type runs in the agent process).</summary>
    public static string Path => typeof(StartupHook).Assembly.Location;

    /// <summary>Called by the runtime before <c>Main</c>.</summary>
    public static void Initialize()
    {
        if (Environment.GetEnvironmentVariable("AGENT_TEST_LOADED_ASSEMBLIES") is not { Length: > 0 } output)
        {
            return;
        }

        AppDomain.CurrentDomain.ProcessExit += (_, _) => File.WriteAllLines(
            output,
            AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetName().Name ?? string.Empty).Order(StringComparer.Ordinal));
    }
}
