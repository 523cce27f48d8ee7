using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Installed;
using AgentHost.Hosting.Plugins.Manifests;

namespace AgentHost.Agent.Plugins;

/// <summary>How the plugins a front end is asked for are named where they are recorded and sent.</summary>
public static class PluginNames
{
    /// <summary>
    /// A plugin folder, written as a path (<c>./x</c>, <c>a/b</c>, an absolute path) and relative to
    /// <paramref name="directory"/>, by its absolute path, so that it resolves from anywhere; any other name as it is. A
    /// bare word is always a plugin id (installed or bundled), never a folder: a cloned repository's <c>git/</c> folder
    /// must not turn <c>--plugin git</c> into its own code and hooks.
    /// </summary>
    /// <param name="name">The name as given (<c>--plugin</c>, a request's <c>plugins</c>).</param>
    /// <param name="directory">The folder a relative path is relative to.</param>
    /// <returns>The name to record.</returns>
    public static string Recorded(string name, string directory)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(directory);
        return PluginRuntime.IsWrittenAsPath(name) && Path.GetFullPath(name, directory) is var folder && ManifestReader.IsPluginFolder(folder) ? folder : name;
    }
}
