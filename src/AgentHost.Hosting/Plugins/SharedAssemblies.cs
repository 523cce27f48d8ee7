using System.Reflection;
using System.Runtime.InteropServices;

namespace AgentHost.Hosting.Plugins;

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
    public static SharedAssemblies FromRoots(IEnumerable<Assembly> roots) =>
        FromRoots(roots, [RuntimeEnvironment.GetRuntimeDirectory()]);

    /// <summary>Computes the closure starting at <paramref name="roots"/>, with the framework in <paramref name="runtimeDirectories"/>.</summary>
    /// <param name="roots">Assemblies whose public surface plugins see.</param>
    /// <param name="runtimeDirectories">Where framework assemblies live (tests add the application folder to stand for a self-contained layout).</param>
    /// <returns>The set.</returns>
    internal static SharedAssemblies FromRoots(IEnumerable<Assembly> roots, IReadOnlyList<string> runtimeDirectories)
    {
        ArgumentNullException.ThrowIfNull(roots);
        string[] frameworkDirectories = [.. runtimeDirectories.Select(Path.GetFullPath)];
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
            if (IsFramework(assembly, frameworkDirectories))
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

    /// <summary>
    /// Whether <paramref name="assembly"/> belongs to Microsoft.NETCore.App: it lives in the runtime's folder and has a
    /// framework name. The folder alone is not enough: a self-contained publish puts the application's own assemblies
    /// (the SDK, Microsoft.Extensions.*) in the runtime's folder too, and stopping there would leave them unshared —
    /// every plugin would then load private copies and fail with <see cref="MissingMethodException"/>.
    /// </summary>
    private static bool IsFramework(Assembly assembly, string[] frameworkDirectories)
    {
        if (!IsFrameworkName(assembly.GetName().Name) || string.IsNullOrEmpty(assembly.Location))
        {
            return false;
        }

        var location = Path.GetFullPath(assembly.Location);
        return Array.Exists(frameworkDirectories, directory => location.StartsWith(directory, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The names Microsoft.NETCore.App uses (every assembly in its folder has one of them).</summary>
    private static bool IsFrameworkName(string? name) =>
        name is "System" or "mscorlib" or "netstandard" or "WindowsBase" or "Microsoft.CSharp"
        || (name is not null && (name.StartsWith("System.", StringComparison.Ordinal)
            || name.StartsWith("Microsoft.VisualBasic", StringComparison.Ordinal)
            || name.StartsWith("Microsoft.Win32.", StringComparison.Ordinal)));
}
