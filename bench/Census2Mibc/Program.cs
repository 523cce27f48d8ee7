// Census2Mibc: turns the JIT's own list of the methods it compiled (DOTNET_JitStdOutFile + DOTNET_JitDisasmSummary=1)
// into a .mibc profile that crossgen2 reads with --mibc, so that the ReadyToRun image pregenerates those methods
// (generic instantiations the compiler's dependency analysis does not find by itself, e.g. async state machine boxes).
//
// The .mibc format is the one crossgen2's MIbcProfileParser reads: a .NET assembly whose global method
// "AssemblyDictionary" holds, per group of methods, `ldstr "DefiningAssembly;OtherAssembly;…;" ldtoken <group method> pop`,
// and each group method holds `ldtoken <method> pop` per method. Methods are MemberRefs / MethodSpecs over TypeSpecs;
// System.__Canon (shared generic code) is a TypeRef into the pseudo assembly "System.Private.Canon".
//
// usage: census2mibc --out FILE.mibc --assemblies DIR [--assemblies DIR…] [--hot] [--only ASSEMBLY…] CENSUS.txt…
using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

var censusFiles = new List<string>();
var assemblyDirs = new List<string>();
string? output = null;
bool verbose = false;
bool hot = false;
var only = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--out": output = args[++i]; break;
        case "--assemblies": assemblyDirs.Add(args[++i]); break;
        case "--verbose": verbose = true; break;
        case "--hot": hot = true; break;
        case "--only": only.Add(args[++i]); break;
        default: censusFiles.Add(args[i]); break;
    }
}
if (output is null || assemblyDirs.Count == 0 || censusFiles.Count == 0)
{
    Console.Error.WriteLine("usage: census2mibc --out FILE.mibc --assemblies DIR [--assemblies DIR…] [--hot] [--only ASSEMBLY…] [--verbose] CENSUS.txt…");
    return 2;
}

// Every managed assembly of the published build (first one found wins for a name).
var paths = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
foreach (string dir in assemblyDirs)
{
    foreach (string file in Directory.EnumerateFiles(dir, "*.dll", SearchOption.AllDirectories))
    {
        string name = Path.GetFileNameWithoutExtension(file);
        if (name.EndsWith(".r2r", StringComparison.OrdinalIgnoreCase) || paths.ContainsKey(name))
        {
            continue;
        }
        try
        {
            using var pe = new PEReader(File.OpenRead(file));
            if (pe.HasMetadata && pe.GetMetadataReader().IsAssembly)
            {
                paths[name] = file;
            }
        }
        catch (BadImageFormatException)
        {
        }
    }
}

using var mlc = new MetadataLoadContext(new PathAssemblyResolver(paths.Values), "System.Private.CoreLib");
var typesByName = new Dictionary<string, Type>(StringComparer.Ordinal);
// Every type of a name: compiler-generated and shared-source types (<>z__ReadOnlySingleElementList`1,
// Microsoft.Shared.Diagnostics.Throw) exist in several assemblies, and the census does not say which one ran.
var allByName = new Dictionary<string, List<Type>>(StringComparer.Ordinal);
foreach (string path in paths.Values)
{
    Type[] types;
    try
    {
        types = mlc.LoadFromAssemblyPath(path).GetTypes();
    }
    catch (ReflectionTypeLoadException e)
    {
        types = e.Types.Where(t => t is not null).ToArray()!;
    }
    catch (Exception)
    {
        continue;
    }
    foreach (Type t in types)
    {
        typesByName.TryAdd(t.FullName!, t);
        if (!allByName.TryGetValue(t.FullName!, out var same))
        {
            allByName[t.FullName!] = same = [];
        }
        same.Add(t);
    }
}
Type canon = typesByName["System.__Canon"];

var methods = new List<MethodBase>();
var seen = new HashSet<MethodBase>();
int lines = 0, unresolved = 0;
foreach (string file in censusFiles)
{
    foreach (string line in File.ReadLines(file))
    {
        int at = line.IndexOf("JIT compiled ", StringComparison.Ordinal);
        int end = line.LastIndexOf(" [", StringComparison.Ordinal);
        if (at < 0 || end < at)
        {
            continue;
        }
        lines++;
        string text = line[(at + "JIT compiled ".Length)..end];
        if (text.StartsWith("(dynamicClass)", StringComparison.Ordinal))
        {
            continue;
        }
        List<MethodBase> resolved = [];
        try
        {
            resolved = Census.Resolve(text, typesByName, allByName);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            if (verbose) Console.Error.WriteLine($"  {text}: {e.Message}");
        }
        if (resolved.Count == 0)
        {
            unresolved++;
            if (verbose) Console.Error.WriteLine($"unresolved: {text}");
            continue;
        }
        foreach (MethodBase method in resolved)
        {
            if (seen.Add(method))
            {
                methods.Add(method);
            }
        }
    }
}

var emitter = new MibcWriter(canon, hot, only.Count == 0 ? null : Homes.For(only, mlc, paths));
int written = emitter.Write(methods, output, verbose);
Console.WriteLine($"{lines} census lines, {methods.Count} distinct methods resolved ({written} written), {unresolved} not resolved (dynamic methods and IL stubs skipped) -> {output}");
return 0;
