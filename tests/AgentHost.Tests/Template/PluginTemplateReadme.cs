namespace AgentHost.Tests.Template;

/// <summary>
/// The commands plugin-template/README.md gives a plugin author, word for word: <see cref="TemplateFlowTests"/> runs
/// them and <see cref="VersionAgreementTests"/> checks the README still says them.
/// </summary>
internal static class PluginTemplateReadme
{
    /// <summary>From the clone's root: the local feed, packed into the author's work folder (../agent-work).</summary>
    public static readonly string[] PackFeed = ["pack", "plugin-template/local-feed.slnf", "-p:AgentLocalFeed=true", "-o", "../agent-work/feed"];

    /// <summary>From the clone's root: the work folder's nuget.config (the local feed, nuget.org, AgentHost.* mapped to the feed), copied.</summary>
    public static readonly string[] CopyNuGetConfig = ["plugin-template/agent-work.nuget.config", "../agent-work/nuget.config"];

    /// <summary>In the work folder: the agent tool in ./tools.</summary>
    public static readonly string[][] Setup =
    [
        ["tool", "install", "AgentHost.Cli", "--tool-path", "tools"],
    ];

    /// <summary>The five commands (the agent ones without the leading <c>agent</c>).</summary>
    public static readonly string[] InstallTemplate = ["new", "install", "AgentHost.PluginTemplate"];

    public static readonly string[] NewPlugin = ["new", "agent-plugin", "-n", "Acme.JiraTools"];

    public static readonly string[] PackPlugin = ["pack", "-o", "out"];

    public static readonly string[] InstallPlugin = ["plugin", "install", "out/acme.jiratools.1.0.0.nupkg", "--yes"];

    public static readonly string[] Run = ["run", "How long is the README?", "--plugin", "scripted", "--plugin", "acme.jiratools", "--model", "scripted/demo.yaml"];

    /// <summary>Undoes the one per-user change: the template's registration.</summary>
    public static readonly string[] UninstallTemplate = ["new", "uninstall", "AgentHost.PluginTemplate"];

    /// <summary>Every command line as the README writes it (quoted where a shell needs it).</summary>
    public static IEnumerable<string> CommandLines()
    {
        yield return Line("dotnet", PackFeed);
        yield return Line("cp", CopyNuGetConfig);
        foreach (var step in Setup)
        {
            yield return Line("dotnet", step);
        }

        yield return Line("dotnet", InstallTemplate);
        yield return Line("dotnet", NewPlugin);
        yield return Line("dotnet", PackPlugin);
        yield return Line("agent", InstallPlugin);
        yield return Line("agent", Run);
        yield return Line("dotnet", UninstallTemplate);
    }

    private static string Line(string program, string[] args) =>
        string.Join(' ', [program, .. args.Select(a => a.Contains(' ', StringComparison.Ordinal) ? $"\"{a}\"" : a)]);
}
