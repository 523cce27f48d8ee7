using System.Reflection;
using System.Runtime.Loader;
using System.Runtime.InteropServices;

namespace AgentHost.Hosting.Plugins.Loading;

/// <summary>
/// The assemblies the host shares with every plugin, by simple name: the SDK and the transitive closure of the
/// assemblies that appear in its signatures. Plugins always get the host's copy; a plugin that needs a newer
/// version than the host has is refused (a private copy would silently break type identity).
/// </summary>
/// <remarks>Thread-safe. The set of names is fixed when created; a framework assembly's version is read from its file at the first ask.</remarks>
public sealed class SharedAssemblies
{
    private static readonly Lock SdkGate = new();
    private static SharedAssemblies? _sdk;
    private readonly Dictionary<string, Version> _versions;

    /// <summary>Framework references whose version is read from their file when first asked for (under <see cref="_reading"/>).</summary>
    private readonly Dictionary<string, string> _frameworkFiles;
    private readonly Lock _reading = new();

    private SharedAssemblies(Dictionary<string, Version> versions, Dictionary<string, string>? frameworkFiles = null)
    {
        _versions = versions;
        _frameworkFiles = frameworkFiles ?? new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The shared assemblies' simple names with the host's versions (every framework file's version read).</summary>
    public IReadOnlyDictionary<string, Version> Versions
    {
        get
        {
            string[] unread;
            lock (_reading)
            {
                unread = [.. _frameworkFiles.Keys];
            }

            foreach (var name in unread)
            {
                _ = TryGetHostVersion(name, out _);
            }

            lock (_reading)
            {
                return new Dictionary<string, Version>(_versions, StringComparer.OrdinalIgnoreCase);
            }
        }
    }

    /// <summary>
    /// The closure starting at the SDK assembly, computed once per process: the host's assemblies do not change while
    /// it runs, and the walk (every referenced framework file's metadata) costs several milliseconds, which a host with
    /// several plugin runtimes (<c>agent serve</c>, one per project root) paid for each. A walk that throws is not kept:
    /// the next call walks again.
    /// </summary>
    /// <returns>The set (the same instance every time; it is immutable).</returns>
    public static SharedAssemblies FromSdk()
    {
        if (Volatile.Read(ref _sdk) is { } sdk)
        {
            return sdk;
        }

        lock (SdkGate)
        {
            return _sdk ??= FromRoots([typeof(AgentHost.Sdk.AgentPlugin).Assembly]);
        }
    }

    /// <summary>Computes the closure starting at <paramref name="roots"/>.</summary>
    /// <param name="roots">Assemblies whose public surface plugins see.</param>
    /// <returns>The set.</returns>
    public static SharedAssemblies FromRoots(IEnumerable<Assembly> roots) =>
        FromRoots(roots, [RuntimeEnvironment.GetRuntimeDirectory()]);

    /// <summary>Computes the closure starting at <paramref name="roots"/>, with the framework in <paramref name="runtimeDirectories"/>.</summary>
    /// <param name="roots">Assemblies whose public surface plugins see.</param>
    /// <param name="runtimeDirectories">Where framework assemblies live (tests add the application folder to stand for a self-contained layout).</param>
    /// <returns>The set.</returns>
    internal static SharedAssemblies FromRoots(IEnumerable<Assembly> roots, IReadOnlyList<string> runtimeDirectories) =>
        FromRoots(roots, runtimeDirectories, Assembly.Load);

    /// <summary>Computes the closure, loading the non-framework assemblies it walks with <paramref name="load"/> (tests observe it).</summary>
    /// <param name="roots">Assemblies whose public surface plugins see.</param>
    /// <param name="runtimeDirectories">Where framework assemblies live.</param>
    /// <param name="load">Loads a referenced assembly (<see cref="Assembly.Load(AssemblyName)"/>).</param>
    /// <returns>The set.</returns>
    internal static SharedAssemblies FromRoots(IEnumerable<Assembly> roots, IReadOnlyList<string> runtimeDirectories, Func<AssemblyName, Assembly> load)
    {
        ArgumentNullException.ThrowIfNull(roots);
        string[] frameworkDirectories = [.. runtimeDirectories.Select(Path.GetFullPath)];
        var versions = new Dictionary<string, Version>(StringComparer.OrdinalIgnoreCase);
        var frameworkFiles = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var pending = new Stack<Assembly>(roots);
        Dictionary<string, string>? platformAssemblies = null;
        while (pending.TryPop(out var assembly))
        {
            var name = assembly.GetName();
            if (name.Name is null || versions.ContainsKey(name.Name) || frameworkFiles.ContainsKey(name.Name))
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
                if (reference.Name is null || versions.ContainsKey(reference.Name) || frameworkFiles.ContainsKey(reference.Name))
                {
                    continue;
                }

                if (FrameworkFile(reference.Name, platformAssemblies ??= TrustedPlatformAssemblies(), frameworkDirectories) is { } frameworkFile)
                {
                    // Framework assemblies are not walked, so only their version is needed: it is read from the
                    // file's metadata instead of loading the assembly (a run never uses most of them: System.Net.Http,
                    // System.Security.Cryptography, System.Linq.Expressions… each loaded one costs resident memory),
                    // and only when a plugin's reference asks for it (a run's plugins reference a few of the closure's
                    // thirty-odd framework assemblies; reading them all cost the plugin runtime's creation milliseconds).
                    frameworkFiles[reference.Name] = frameworkFile;
                    continue;
                }

                try
                {
                    pending.Push(load(reference));
                }
                catch (FileNotFoundException)
                {
                    // Optional reference the host never loads; nothing to share.
                }
            }
        }

        return new SharedAssemblies(versions, frameworkFiles);
    }

    /// <summary>How many framework assemblies' versions have not been read from their files yet (tests).</summary>
    internal int UnreadFrameworkFiles
    {
        get
        {
            lock (_reading)
            {
                return _frameworkFiles.Count;
            }
        }
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
    /// <remarks>Thread-safe: a framework assembly's version is read from its file once, at the first ask.</remarks>
    public bool TryGetHostVersion(string simpleName, out Version hostVersion)
    {
        lock (_reading)
        {
            if (_versions.TryGetValue(simpleName, out hostVersion!))
            {
                return true;
            }

            if (!_frameworkFiles.TryGetValue(simpleName, out var file))
            {
                return false;
            }

            // Loaded already (System.Runtime, System.Collections… by the time plugins load): the loaded one is the
            // host's. Otherwise as the host's deps files record it, and only then from the file; one that cannot be
            // read throws here, for this plugin's load, and is asked again next time (it stays shared).
            hostVersion = LoadedVersion(simpleName) ?? DepsFileVersions.Find(simpleName) ?? AssemblyName.GetAssemblyName(file).Version ?? new Version(0, 0);
            _versions[simpleName] = hostVersion;
            _frameworkFiles.Remove(simpleName);
            return true;
        }
    }

    /// <summary>
    /// The version of the assembly named <paramref name="simpleName"/> that the host's default context has loaded, or
    /// <see langword="null"/>: asking the loaded assembly costs no file read, where <see cref="AssemblyName.GetAssemblyName"/>
    /// loads System.Reflection.Metadata and maps the file (resident memory a run does not need:
    /// docs/decisions/0020-session-opening-stage.md).
    /// </summary>
    private static Version? LoadedVersion(string simpleName)
    {
        foreach (var assembly in AssemblyLoadContext.Default.Assemblies)
        {
            var fullName = assembly.FullName;
            if (fullName is not null && fullName.Length > simpleName.Length && fullName[simpleName.Length] == ','
                && fullName.StartsWith(simpleName, StringComparison.OrdinalIgnoreCase))
            {
                return assembly.GetName().Version;
            }
        }

        return null;
    }

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

    /// <summary>
    /// The file the default load context would load for the framework assembly <paramref name="simpleName"/>: its
    /// trusted platform assembly path when the name is a framework name and the file lies in a runtime folder (what
    /// <see cref="IsFramework"/> says once it is loaded), else <see langword="null"/> (then the assembly is loaded).
    /// </summary>
    private static string? FrameworkFile(string simpleName, Dictionary<string, string> platformAssemblies, string[] frameworkDirectories)
    {
        if (!IsFrameworkName(simpleName) || !platformAssemblies.TryGetValue(simpleName, out var path))
        {
            return null;
        }

        path = Path.GetFullPath(path);
        return Array.Exists(frameworkDirectories, directory => path.StartsWith(directory, StringComparison.OrdinalIgnoreCase)) ? path : null;
    }

    /// <summary>The host's trusted platform assemblies (what the default load context resolves names to) by simple name.</summary>
    private static Dictionary<string, string> TrustedPlatformAssemblies()
    {
        var byName = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") is string list)
        {
            foreach (var path in list.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            {
                if (path.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
                {
                    byName.TryAdd(Path.GetFileNameWithoutExtension(path), path);
                }
            }
        }

        return byName;
    }

    /// <summary>The names Microsoft.NETCore.App uses (every assembly in its folder has one of them).</summary>
    private static bool IsFrameworkName(string? name) =>
        name is "System" or "mscorlib" or "netstandard" or "WindowsBase" or "Microsoft.CSharp"
        || (name is not null && (name.StartsWith("System.", StringComparison.Ordinal)
            || name.StartsWith("Microsoft.VisualBasic", StringComparison.Ordinal)
            || name.StartsWith("Microsoft.Win32.", StringComparison.Ordinal)));
}
