using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace AgentHost.Hosting.Plugins;

/// <summary>Reads an entry assembly's references from metadata, without loading it, to refuse plugins built for a newer SDK.</summary>
internal static class ReferenceCheck
{
    public static string? FindTooNewSharedReference(string pluginId, string assemblyPath, SharedAssemblies shared)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        if (!pe.HasMetadata)
        {
            return $"plugin '{pluginId}': {assemblyPath} is not a .NET assembly. Point 'entry' at the plugin's main .dll from 'dotnet publish'.";
        }

        var reader = pe.GetMetadataReader();
        foreach (var handle in reader.AssemblyReferences)
        {
            var reference = reader.GetAssemblyReference(handle);
            var name = reader.GetString(reference.Name);
            if (shared.TryGetHostVersion(name, out var hostVersion) && reference.Version > hostVersion)
            {
                return PluginLoadContext.SharedVersionMessage(pluginId, name, reference.Version, hostVersion);
            }
        }

        return null;
    }
}
