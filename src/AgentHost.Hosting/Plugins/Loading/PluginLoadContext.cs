using System.Reflection;
using System.Runtime.Loader;

namespace AgentHost.Hosting.Plugins.Loading;

/// <summary>One load context per plugin, resolving through the plugin's <c>.deps.json</c>.</summary>
/// <remarks>
/// Shared assemblies (see <see cref="SharedAssemblies"/>) always come from the host. Everything else the plugin
/// carries — managed and native — loads privately, so two plugins can use different versions of one library.
/// Framework assemblies the plugin does not carry fall back to the host.
/// <para>
/// A collectible context can be unloaded, but the runtime ignores ReadyToRun code in collectible assemblies (every
/// method is JIT-compiled), so short-lived processes load plugins into non-collectible contexts: still isolated,
/// with precompiled code used, freed when the process ends.
/// </para>
/// </remarks>
internal sealed class PluginLoadContext : AssemblyLoadContext
{
    private readonly AssemblyDependencyResolver _resolver;
    private readonly SharedAssemblies _shared;
    private readonly string _pluginId;

    public PluginLoadContext(string pluginId, string entryAssemblyPath, SharedAssemblies shared, bool collectible)
        : base($"plugin:{pluginId}", isCollectible: collectible)
    {
        _pluginId = pluginId;
        _resolver = new AssemblyDependencyResolver(entryAssemblyPath);
        _shared = shared;
    }

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        if (assemblyName.Name is not null && _shared.TryGetHostVersion(assemblyName.Name, out var hostVersion))
        {
            if (assemblyName.Version is not null && assemblyName.Version > hostVersion)
            {
                throw new FileLoadException(SharedVersionMessage(_pluginId, assemblyName.Name, assemblyName.Version, hostVersion));
            }

            return null; // The host's copy, by simple name.
        }

        var path = _resolver.ResolveAssemblyToPath(assemblyName);
        return path is null ? null : LoadFromAssemblyPath(path);
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        var path = _resolver.ResolveUnmanagedDllToPath(unmanagedDllName);
        return path is null ? IntPtr.Zero : LoadUnmanagedDllFromPath(path);
    }

    internal static string SharedVersionMessage(string pluginId, string assembly, Version requested, Version host) =>
        $"plugin '{pluginId}' was built against {assembly} {requested}, but this host has {host}. " +
        "Upgrade agent, or install a plugin version built for this host's SDK.";
}
