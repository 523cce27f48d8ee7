using System.Reflection;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Manifests;
namespace AgentHost.Testing;

/// <summary>Finds the folder of a plugin's <c>plugin.yaml</c> for a test.</summary>
internal static class ManifestLocator
{
    private const string CopyHint = "<None Include=\"plugin.yaml\" CopyToOutputDirectory=\"PreserveNewest\" />";

    /// <summary>The manifest folder: <paramref name="manifestPath"/> when given, else next to the assembly, else up from the test's base directory.</summary>
    /// <exception cref="PluginTestHostException">No manifest there; the message lists every place looked at.</exception>
    public static string FindDirectory(Assembly pluginAssembly, string? manifestPath)
    {
        if (manifestPath is not null)
        {
            return FromOption(manifestPath);
        }

        var assemblyName = pluginAssembly.GetName().Name ?? "the plugin";
        var looked = new List<string>();
        foreach (var directory in Candidates(pluginAssembly, assemblyName))
        {
            var file = Path.Combine(directory, PluginManifest.FileName);
            if (looked.Contains(file, StringComparer.Ordinal))
            {
                continue;
            }

            looked.Add(file);
            if (File.Exists(file))
            {
                return directory;
            }
        }

        throw new PluginTestHostException(
            $"{PluginManifest.FileName} not found for {assemblyName}. Looked at:{Environment.NewLine}  " +
            string.Join(Environment.NewLine + "  ", looked) + Environment.NewLine +
            $"Copy the manifest next to the plugin's assembly: add {CopyHint} to an <ItemGroup> of the plugin's .csproj " +
            "(the test project's output then gets it too), or set PluginTestHostOptions.ManifestPath.");
    }

    private static string FromOption(string manifestPath)
    {
        var full = Path.GetFullPath(manifestPath);
        if (Directory.Exists(full))
        {
            return File.Exists(Path.Combine(full, PluginManifest.FileName))
                ? full
                : throw new PluginTestHostException($"PluginTestHostOptions.ManifestPath is the folder {full}, which has no {PluginManifest.FileName}. Point it at the plugin's {PluginManifest.FileName} or the folder that holds it.");
        }

        if (File.Exists(full))
        {
            return string.Equals(Path.GetFileName(full), PluginManifest.FileName, StringComparison.Ordinal)
                ? Path.GetDirectoryName(full)!
                : throw new PluginTestHostException($"PluginTestHostOptions.ManifestPath is {full}, but a plugin manifest must be named {PluginManifest.FileName}. Rename it, or point at the folder that holds {PluginManifest.FileName}.");
        }

        throw new PluginTestHostException($"PluginTestHostOptions.ManifestPath '{manifestPath}' does not exist ({full}). Point it at the plugin's {PluginManifest.FileName} or the folder that holds it.");
    }

    private static IEnumerable<string> Candidates(Assembly pluginAssembly, string assemblyName)
    {
        if (!string.IsNullOrEmpty(pluginAssembly.Location))
        {
            yield return Path.GetDirectoryName(pluginAssembly.Location)!;
        }

        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            yield return directory.FullName;
            yield return Path.Combine(directory.FullName, assemblyName);
            yield return Path.Combine(directory.FullName, "src", assemblyName);
        }
    }
}
