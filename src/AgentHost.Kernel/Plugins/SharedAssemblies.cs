using System.Reflection;
using System.Runtime.InteropServices;

namespace AgentHost.Kernel.Plugins;

/// <summary>
/// The assemblies the host shares with every plugin, by simple name: the SDK and the transitive closure of the
/// assemblies that appear in its signatures. Plugins always get the host's copy; a plugin that needs a newer
/// version than the host has is refused (a private copy would silently break type identity).
/// </summary>
/// <remarks>Immutable and thread-safe once created.</remarks>
public sealed class SharedAssemblies
{
    private readonly Dictionary<string, Version> _versions;

    private SharedAssemblies(Dictionary<string, Version> versions) => _versions = versions;

    /// <summary>The shared assemblies' simple names with the host's versions.</summary>
    public IReadOnlyDictionary<string, Version> Versions => _versions;

    /// <summary>Computes the closure starting at the SDK assembly.</summary>
    /// <returns>The set.</returns>
    public static SharedAssemblies FromSdk() => FromRoots([typeof(AgentHost.Sdk.AgentPlugin).Assembly]);

    /// <summary>Computes the closure starting at <paramref name="roots"/>.</summary>
    /// <param name="roots">Assemblies whose public surface plugins see.</param>
    /// <returns>The set.</returns>
    public static SharedAssemblies FromRoots(IEnumerable<Assembly> roots)
    {
        ArgumentNullException.ThrowIfNull(roots);
        var runtimeDirectory = Path.GetFullPath(RuntimeEnvironment.GetRuntimeDirectory());
        var versions = new Dictionary<string, Version>(StringComparer.OrdinalIgnoreCase);
        var pending = new Stack<Assembly>(roots);
        while (pending.TryPop(out var assembly))
        {
            var name = assembly.GetName();
            if (name.Name is null || versions.ContainsKey(name.Name))
            {
                continue;
            }

            versions[name.Name] = name.Version ?? new Version(0, 0);
            if (IsFramework(assembly, runtimeDirectory))
            {
                continue; // Framework assemblies only reference the framework, which is always the host's.
            }

            foreach (var reference in assembly.GetReferencedAssemblies())
            {
                if (reference.Name is null || versions.ContainsKey(reference.Name))
                {
                    continue;
                }

                try
                {
                    pending.Push(Assembly.Load(reference));
                }
                catch (FileNotFoundException)
                {
                    // Optional reference the host never loads; nothing to share.
                }
            }
        }

        return new SharedAssemblies(versions);
    }

    /// <summary>Creates a set from explicit versions (for hosts that embed the kernel with a different surface, and tests).</summary>
    /// <param name="versions">Simple names and host versions.</param>
    /// <returns>The set.</returns>
    public static SharedAssemblies FromVersions(IReadOnlyDictionary<string, Version> versions) =>
        new(new Dictionary<string, Version>(versions, StringComparer.OrdinalIgnoreCase));

    /// <summary>Whether <paramref name="simpleName"/> is shared, and the host's version.</summary>
    /// <param name="simpleName">The assembly's simple name.</param>
    /// <param name="hostVersion">The host's version.</param>
    /// <returns>Whether it is shared.</returns>
    public bool TryGetHostVersion(string simpleName, out Version hostVersion) =>
        _versions.TryGetValue(simpleName, out hostVersion!);

    private static bool IsFramework(Assembly assembly, string runtimeDirectory) =>
        !string.IsNullOrEmpty(assembly.Location)
        && Path.GetFullPath(assembly.Location).StartsWith(runtimeDirectory, StringComparison.OrdinalIgnoreCase);
}
