using AgentHost.Hosting;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Installed;
using AgentHost.Installation;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Installation;

/// <summary>A temp AGENT_HOME, catalog, working folder and package folder for install tests.</summary>
public sealed class InstallSandbox : IDisposable
{
    private readonly TempDirectory _temp = new();

    public InstallSandbox()
    {
        Directory.CreateDirectory(Catalog);
        Directory.CreateDirectory(Work);
        Directory.CreateDirectory(Packages);
    }

    public string Root => _temp.Path;

    public string Catalog => _temp.Combine("catalog");

    public string Work => _temp.Combine("work");

    public string Packages => _temp.Combine("packages");

    public string Sources => _temp.Combine("sources");

    public HostEnvironment Environment => EnvironmentIn(Work);

    public AgentPaths Paths => AgentPaths.Resolve(Environment);

    public PluginStore Store => new(Paths, Catalog);

    public HostEnvironment EnvironmentIn(string currentDirectory) =>
        TestEnvironment.Create(Root, currentDirectory, new Dictionary<string, string> { ["AGENT_CATALOG_DIR"] = Catalog });

    public PluginLockFile LockFile() => Store.LoadLockFile();

    public string LockFileText() => File.Exists(Paths.LockFile) ? File.ReadAllText(Paths.LockFile) : string.Empty;

    public string InstallDirectory(string id, string version) => Store.InstallDirectory(id, version);

    public string Folder(string id, string version, string? manifest = null) =>
        PluginPackages.WriteFolder(Sources, id, version, manifest);

    public string Package(string id, string version, string? manifest = null, IEnumerable<(string Name, string Content)>? extraEntries = null, string? output = null) =>
        PluginPackages.WritePackage(Path.Combine(Sources, Guid.NewGuid().ToString("N")), output ?? Packages, id, version, manifest, extraEntries);

    public void WriteConfig(string yaml)
    {
        Directory.CreateDirectory(Paths.ConfigDirectory);
        File.WriteAllText(Paths.GlobalConfigFile, yaml);
    }

    public PluginInstaller Installer(IReadOnlyList<PluginFeed> feeds, HttpClient httpClient, List<string>? log = null, TimeProvider? time = null) =>
        new(Store, feeds, httpClient, time ?? TimeProvider.System, Work, log is null ? null : log.Add);

    public void Dispose() => _temp.Dispose();
}

/// <summary>A clock that always reads the same instant.</summary>
public sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
