using System.Reflection;

namespace AgentHost.Hosting.Plugins.Loading;

/// <summary>
/// Loads a plugin's entry assembly into its load context and checks its references before any of its code runs, to
/// refuse a plugin built for a newer SDK (or a file that is not a .NET assembly) with a clear message.
/// </summary>
/// <remarks>
/// Loading an assembly runs none of its code (no type is initialised, no module initialiser runs until a type or
/// method is used), and its references come from the metadata the runtime has already mapped
/// (<see cref="Assembly.GetReferencedAssemblies"/>), so the check needs no second reader of the file: a run that
/// loads a plugin does not load System.Reflection.Metadata and System.IO.MemoryMappedFiles for it
/// (docs/decisions/0020-session-opening-stage.md).
/// </remarks>
internal static class ReferenceCheck
{
    /// <summary>Loads the entry assembly into <paramref name="context"/>, or throws <see cref="PluginRefusedException"/>.</summary>
    /// <param name="pluginId">The plugin (for messages).</param>
    /// <param name="context">The plugin's load context.</param>
    /// <param name="assemblyPath">The entry assembly's path.</param>
    /// <param name="shared">The assemblies plugins share with the host, with the host's versions.</param>
    /// <returns>The loaded entry assembly.</returns>
    /// <exception cref="PluginRefusedException">The file is not a .NET assembly, or it references a shared assembly newer than the host's.</exception>
    public static Assembly LoadEntry(string pluginId, PluginLoadContext context, string assemblyPath, SharedAssemblies shared)
    {
        Assembly assembly;
        try
        {
            assembly = context.LoadFromAssemblyPath(assemblyPath);
        }
        catch (BadImageFormatException)
        {
            throw new PluginRefusedException($"plugin '{pluginId}': {assemblyPath} is not a .NET assembly. Point 'entry' at the plugin's main .dll from 'dotnet publish'.");
        }

        return FindTooNewSharedReference(pluginId, assembly, shared) is { } refusal ? throw new PluginRefusedException(refusal) : assembly;
    }

    /// <summary>The first reference of <paramref name="assembly"/> to a shared assembly newer than the host's, as a message; or <see langword="null"/>.</summary>
    /// <param name="pluginId">The plugin (for messages).</param>
    /// <param name="assembly">The plugin's entry assembly.</param>
    /// <param name="shared">The shared assemblies.</param>
    /// <returns>The refusal, or <see langword="null"/>.</returns>
    internal static string? FindTooNewSharedReference(string pluginId, Assembly assembly, SharedAssemblies shared)
    {
        foreach (var reference in assembly.GetReferencedAssemblies())
        {
            if (reference.Name is { } name && reference.Version is { } version
                && shared.TryGetHostVersion(name, out var hostVersion) && version > hostVersion)
            {
                return PluginLoadContext.SharedVersionMessage(pluginId, name, version, hostVersion);
            }
        }

        return null;
    }
}

/// <summary>A plugin refused by a check of its code before any of it ran (reported as refused, not failed).</summary>
/// <param name="message">Why, with the fix.</param>
internal sealed class PluginRefusedException(string message) : AgentHostException(ErrorKind.Plugin, message);
