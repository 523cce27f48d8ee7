using AgentHost.Hosting.Plugins.Manifests;

namespace AgentHost.Hosting.Plugins.Loading;

/// <summary>Checks that a plugin instance created by the caller is the one a manifest's <c>entry</c> names.</summary>
internal static class PluginInstanceCheck
{
    /// <summary>Why a caller-created instance does not belong to the manifest, or <see langword="null"/> when it does.</summary>
    public static string? Mismatch(PluginManifest manifest, Type type)
    {
        var assembly = type.Assembly.GetName().Name ?? type.Assembly.FullName ?? "?";
        if (manifest.EntryAssembly is not { } entry)
        {
            return $"{manifest.FilePath}: the manifest declares no 'entry', but plugin '{manifest.Id}' was given an instance of {type.FullName}. " +
                   $"Add 'entry: {assembly}.dll' to plugin.yaml.";
        }

        var entryName = Path.GetFileNameWithoutExtension(entry.Replace('\\', '/').Split('/')[^1]);
        if (!string.Equals(entryName, assembly, StringComparison.OrdinalIgnoreCase))
        {
            return $"{manifest.FilePath}: entry assembly '{entry}' does not match the plugin instance's assembly '{assembly}' ({type.FullName}). " +
                   $"Set 'entry' to {assembly}.dll, or use the manifest of the plugin in {entryName}.";
        }

        if (manifest.EntryType is { } typeName && !string.Equals(typeName, type.FullName, StringComparison.Ordinal))
        {
            return $"{manifest.FilePath}: entry type '{typeName}' does not match the plugin instance's type '{type.FullName}'. " +
                   $"Set 'entry.type' to {type.FullName}, or start the plugin type the manifest names.";
        }

        return null;
    }
}
