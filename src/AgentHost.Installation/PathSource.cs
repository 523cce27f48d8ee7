using AgentHost.Hosting;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Manifests;
namespace AgentHost.Installation;

/// <summary>An explicit path given to <c>install</c>: a plugin folder (<c>plugin.yaml</c> or a Claude Code plugin), or a <c>.nupkg</c> file.</summary>
internal sealed class PathSource : PluginSource
{
    private PathSource(string path, CandidateKind kind, Action<string>? report)
        : base(kind == CandidateKind.Folder ? "folder" : "nupkg", path, report) =>
        Candidate = new PluginCandidate(null, null, Name, path, kind);

    /// <summary>The one candidate this source offers.</summary>
    public PluginCandidate Candidate { get; }

    public override bool CanListIds => false;

    /// <summary>Creates the source for a full path, checking that it is a plugin folder or a package file.</summary>
    /// <exception cref="AgentHostException">The path does not exist or holds no plugin.</exception>
    public static PathSource Create(string fullPath, Action<string>? report)
    {
        if (File.Exists(fullPath))
        {
            return fullPath.EndsWith(".nupkg", StringComparison.OrdinalIgnoreCase)
                ? new PathSource(fullPath, CandidateKind.Package, report)
                : throw new AgentHostException(ErrorKind.Usage, $"{fullPath} is a file but not a .nupkg package; give a plugin folder ({ManifestReader.PluginFolderDescription}) or a .nupkg file.");
        }

        if (Directory.Exists(fullPath))
        {
            return ManifestReader.IsPluginFolder(fullPath)
                ? new PathSource(fullPath, CandidateKind.Folder, report)
                : throw new AgentHostException(ErrorKind.Plugin, ManifestReader.NotAPluginFolder(fullPath));
        }

        throw new AgentHostException(ErrorKind.NotFound, $"{fullPath} does not exist; give a plugin folder, a .nupkg file or a plugin id.");
    }

    protected override Task<IReadOnlyList<PluginCandidate>> FindCoreAsync(string id, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<PluginCandidate>>([Candidate]);
}
