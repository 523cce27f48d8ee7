using AgentHost.Hosting;
using NuGet.Configuration;

namespace AgentHost.Installation;

/// <summary>
/// The package sources and credentials of the user's nuget.config files, read with NuGet.Configuration.
/// </summary>
/// <remarks>
/// <para>Files read, highest priority first: when the project is trusted, every <c>nuget.config</c> from the working
/// folder up to the file system root (as <c>dotnet restore</c> does); then the user's file
/// (<c>~/.nuget/NuGet/NuGet.Config</c>, or <c>%APPDATA%\NuGet\NuGet.Config</c> on Windows). Machine-wide files are
/// not read, and no default file is created.</para>
/// <para>An untrusted project's nuget.config files are ignored with a warning: a cloned repository must not redirect
/// plugin feeds, add feeds or supply credentials until the user runs <c>agent trust</c> (the rule that applies to
/// <c>.agent/config.yaml</c>).</para>
/// </remarks>
public sealed class NuGetSources
{
    private static readonly string[] ConfigNames = ["nuget.config", "NuGet.config", "NuGet.Config"];

    private NuGetSources(IReadOnlyList<PackageSource> all, IReadOnlyList<string> files, string? warning)
    {
        All = all;
        Files = files;
        Warning = warning;
    }

    /// <summary>No nuget.config at all.</summary>
    public static NuGetSources None { get; } = new([], [], null);

    /// <summary>Every source the files define, enabled or not, in priority order.</summary>
    public IReadOnlyList<PackageSource> All { get; }

    /// <summary>The nuget.config files read, highest priority first.</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>Why project nuget.config files were ignored, when they were.</summary>
    public string? Warning { get; }

    /// <summary>The enabled sources, in priority order.</summary>
    public IEnumerable<PackageSource> Enabled => All.Where(s => s.IsEnabled);

    /// <summary>Reads the user's nuget.config, and the project's when it is trusted.</summary>
    /// <param name="homeDirectory">The user's home folder.</param>
    /// <param name="appData">The roaming application data folder on Windows (<c>%APPDATA%</c>); <see langword="null"/> elsewhere.</param>
    /// <param name="workingDirectory">The folder the walk for project files starts at.</param>
    /// <param name="projectTrusted">Whether the project is trusted (<c>agent trust</c>).</param>
    /// <returns>The sources.</returns>
    /// <exception cref="AgentHostException">A nuget.config file is not valid.</exception>
    public static NuGetSources Load(string homeDirectory, string? appData, string workingDirectory, bool projectTrusted)
    {
        var user = appData is not null
            ? Path.Combine(appData, "NuGet", "NuGet.Config")
            : Path.Combine(homeDirectory, ".nuget", "NuGet", "NuGet.Config");
        var project = ProjectFiles(workingDirectory).Where(f => !SamePath(f, user)).ToList();
        string? warning = null;
        var files = new List<string>();
        if (projectTrusted)
        {
            files.AddRange(project);
        }
        else if (project.Count > 0)
        {
            warning = $"{string.Join(", ", project)}: the project is not trusted, so its nuget.config is ignored (package sources, disabled sources and credentials); a project cannot choose where plugins come from or which credentials are sent, the rule that applies to .agent/config.yaml. If you trust this repository, run 'agent trust' in it.";
        }

        if (File.Exists(user))
        {
            files.Add(user);
        }

        if (files.Count == 0)
        {
            return new NuGetSources([], [], warning);
        }

        try
        {
            var settings = Settings.LoadSettingsGivenConfigPaths(files);
            var sources = new PackageSourceProvider(settings).LoadPackageSources().ToList();
            return new NuGetSources(sources, files, warning);
        }
        catch (NuGetConfigurationException ex)
        {
            throw new AgentHostException(ErrorKind.Configuration, $"a nuget.config file is not valid ({ex.Message}); fix it or move it away. Files read: {string.Join(", ", files)}.", ex);
        }
    }

    /// <summary>Finds a source by its key (name), ignoring case, enabled or not.</summary>
    /// <param name="name">The name.</param>
    /// <returns>The source, or <see langword="null"/>.</returns>
    public PackageSource? Find(string name) =>
        All.FirstOrDefault(s => s.Name.Equals(name, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// The credentials for a feed URL: those of the nuget.config source with this name if its URL is the same, else of
    /// any source with this URL. Credentials are never sent to a URL other than the one they were configured for.
    /// </summary>
    /// <param name="name">The feed name.</param>
    /// <param name="url">The feed URL.</param>
    /// <returns>The credentials, or <see langword="null"/>.</returns>
    public PackageSourceCredential? CredentialsFor(string name, string url)
    {
        var byName = Find(name);
        if (byName is { Credentials: { } named } && SameUrl(byName.Source, url))
        {
            return named;
        }

        return All.FirstOrDefault(s => s.Credentials is not null && SameUrl(s.Source, url))?.Credentials;
    }

    private static IEnumerable<string> ProjectFiles(string start)
    {
        for (var dir = new DirectoryInfo(Path.GetFullPath(start)); dir is not null; dir = dir.Parent)
        {
            if (!dir.Exists)
            {
                continue;
            }

            // One file per folder, as NuGet does; the names differ only in case on case-sensitive file systems.
            var file = ConfigNames.Select(n => Path.Combine(dir.FullName, n)).FirstOrDefault(File.Exists);
            if (file is not null)
            {
                yield return file;
            }
        }
    }

    private static bool SamePath(string a, string b) =>
        string.Equals(Path.GetFullPath(a), Path.GetFullPath(b), OperatingSystem.IsLinux() ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase);

    private static bool SameUrl(string a, string b) =>
        string.Equals(a.TrimEnd('/'), b.TrimEnd('/'), StringComparison.OrdinalIgnoreCase);
}
