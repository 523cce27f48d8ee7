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

/// <summary>
/// --only: the profile of precompiled plugin assemblies (crossgen2 --non-local-generics-module). Only methods that involve
/// one of the named assemblies (defined there, or instantiated over one of its types) are kept, each in a group named
/// after one assembly alone, its home: the named assembly involved that references the others involved (the one whose
/// compile can see every type of the method). crossgen2 reads a group only when it compiles an assembly the group names,
/// so a method is pregenerated in its home's image and not in every image the profile is given to.
/// </summary>
static class Homes
{
    public static Func<IReadOnlyCollection<string>, string?> For(HashSet<string> only, MetadataLoadContext mlc, Dictionary<string, string> paths)
    {
        var references = new Dictionary<string, HashSet<string>>(StringComparer.OrdinalIgnoreCase);
        HashSet<string> Closure(string name)
        {
            if (references.TryGetValue(name, out var set)) return set;
            references[name] = set = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            if (!paths.TryGetValue(name, out string? path)) return set;
            foreach (AssemblyName r in mlc.LoadFromAssemblyPath(path).GetReferencedAssemblies())
            {
                set.Add(r.Name!);
                set.UnionWith(Closure(r.Name!));
            }
            return set;
        }
        return involved =>
        {
            var named = involved.Where(only.Contains).ToList();
            if (named.Count == 0) return null;
            // The home references every other assembly of the method; without one (unrelated plugin types), none.
            return named.FirstOrDefault(a => involved.All(o => o == a || !only.Contains(o) || Closure(a).Contains(o)));
        };
    }
}

/// <summary>Parses the JIT's method names (`Ns.Type`1+Nested[args]:Method[margs](params)`) against the loaded assemblies.</summary>
static class Census
{
    static readonly Dictionary<string, string> Primitives = new()
    {
        ["bool"] = "System.Boolean", ["char"] = "System.Char", ["byte"] = "System.Byte", ["ubyte"] = "System.Byte",
        ["sbyte"] = "System.SByte", ["short"] = "System.Int16", ["ushort"] = "System.UInt16", ["int"] = "System.Int32",
        ["uint"] = "System.UInt32", ["long"] = "System.Int64", ["ulong"] = "System.UInt64", ["float"] = "System.Single",
        ["double"] = "System.Double", ["nint"] = "System.IntPtr", ["nuint"] = "System.UIntPtr",
    };

    /// <summary>
    /// The methods a census line names. Usually one; several when the census cannot tell them apart: a type of that
    /// name in several assemblies, or overloads that differ only where the census prints the same (an enum as its
    /// underlying type, every managed pointer as byref). Listing a method too many only precompiles it needlessly;
    /// leaving one out leaves it to the JIT (with partial images, docs/benchmarks.md "#25: partial plugin images,
    /// fifth pass", every method a profile lacks).
    /// </summary>
    public static List<MethodBase> Resolve(string text, Dictionary<string, Type> types, Dictionary<string, List<Type>> allByName)
    {
        int colon = IndexAtDepth0(text, ':', 0);
        if (colon < 0) return [];
        var found = new List<MethodBase>();
        var loose = new List<MethodBase>();
        var byCount = new List<MethodBase>();
        foreach (Type owner in Owners(text[..colon], types, allByName))
        {
            var (exact, near, counted) = Match(owner, text[(colon + 1)..], types);
            found.AddRange(exact);
            loose.AddRange(near);
            byCount.AddRange(counted);
        }
        return found.Count > 0 ? found : loose.Count > 0 ? loose : byCount.Count == 1 ? byCount : [];
    }

    /// <summary>Every type the census's owner type can be: each type of that name, or each generic definition of it instantiated.</summary>
    static IEnumerable<Type> Owners(string s, Dictionary<string, Type> types, Dictionary<string, List<Type>> allByName)
    {
        s = s.Trim();
        int bracket = IndexAtDepth0(s, '[', 0);
        if (bracket < 0 || s.EndsWith("[]"))
        {
            if (bracket < 0 && allByName.TryGetValue(s, out var all)) return all;
            return ParseType(s, types) is { } one ? [one] : [];
        }
        var args = SplitArgs(s[(bracket + 1)..^1]).Select(a => ParseType(a, types)).ToArray();
        if (args.Any(a => a is null) || !allByName.TryGetValue(s[..bracket], out var defs)) return [];
        var owners = new List<Type>();
        foreach (Type def in defs.Where(d => d.GetGenericArguments().Length == args.Length))
        {
            try { owners.Add(def.MakeGenericType(args!)); } catch (ArgumentException) { }
        }
        return owners;
    }

    /// <summary>The methods of one owner that match: exactly, loosely (an enum for its underlying type), or by parameter count.</summary>
    static (List<MethodBase> Exact, List<MethodBase> Loose, List<MethodBase> ByCount) Match(Type owner, string rest, Dictionary<string, Type> types)
    {
        (List<MethodBase>, List<MethodBase>, List<MethodBase>) none = ([], [], []);
        int paren = IndexAtDepth0(rest, '(', 0);
        if (paren < 0) return none;
        string nameAndArgs = rest[..paren];
        string parameters = rest[(paren + 1)..rest.LastIndexOf(')')];
        string name = nameAndArgs;
        Type[] methodArgs = [];
        // A generic method's instantiation follows its name: Name[args]; names themselves hold no '['.
        int bracket = nameAndArgs.IndexOf('[');
        if (bracket > 0 && nameAndArgs.EndsWith(']'))
        {
            name = nameAndArgs[..bracket];
            var parsed = SplitArgs(nameAndArgs[(bracket + 1)..^1]).Select(a => ParseType(a, types)).ToArray();
            if (parsed.Any(p => p is null)) return none;
            methodArgs = parsed!;
        }
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        var candidates = new List<MethodBase>();
        IEnumerable<MethodBase> members = name is ".ctor" or ".cctor"
            ? owner.GetConstructors(all).Where(c => c.Name == name)
            : owner.GetMethods(all).Where(m => m.Name == name);
        foreach (MethodBase m in members)
        {
            MethodBase candidate = m;
            if (methodArgs.Length > 0)
            {
                if (m is not MethodInfo mi || !mi.IsGenericMethodDefinition || mi.GetGenericArguments().Length != methodArgs.Length) continue;
                try { candidate = mi.MakeGenericMethod(methodArgs); } catch (ArgumentException) { continue; }
            }
            else if (m.IsGenericMethodDefinition)
            {
                continue;
            }
            candidates.Add(candidate);
        }
        string wanted = parameters.Replace(" ", "");
        var exact = candidates.Where(c => string.Join(",", c.GetParameters().Select(p => Print(p.ParameterType))) == wanted).ToList();
        var printed = wanted.Length == 0 ? [] : SplitArgs(wanted);
        var loose = candidates.Where(c => c.GetParameters().Length == printed.Count
            && c.GetParameters().Select((p, i) => Print(p.ParameterType) == printed[i]
                || (p.ParameterType.IsEnum && Print(p.ParameterType.GetEnumUnderlyingType()) == printed[i])).All(ok => ok)).ToList();
        var byCount = candidates.Where(c => c.GetParameters().Length == printed.Count).ToList();
        return (exact, loose, byCount);
    }

    /// <summary>The JIT's spelling of a parameter type (byref for any managed pointer, ptr for unmanaged ones).</summary>
    static string Print(Type t)
    {
        if (t.IsByRef) return "byref";
        if (t.IsPointer || t.IsFunctionPointer) return "ptr";
        if (t.IsSZArray) return Print(t.GetElementType()!) + "[]";
        if (t.IsArray) return Print(t.GetElementType()!) + "[" + new string(',', t.GetArrayRank() - 1) + "]";
        foreach (var (k, v) in Primitives)
        {
            if (t.FullName == v && k is not "ubyte") return k;
        }
        if (t.IsGenericParameter) return t.Name;
        if (t.IsConstructedGenericType)
        {
            Type def = t.GetGenericTypeDefinition();
            return def.FullName + "[" + string.Join(",", t.GetGenericArguments().Select(Print)) + "]";
        }
        return t.FullName ?? t.Name;
    }

    static Type? ParseType(string s, Dictionary<string, Type> types)
    {
        s = s.Trim();
        if (s.EndsWith("[]"))
        {
            return ParseType(s[..^2], types)?.MakeArrayType();
        }
        if (Primitives.TryGetValue(s, out string? prim))
        {
            return types.GetValueOrDefault(prim);
        }
        int bracket = IndexAtDepth0(s, '[', 0);
        if (bracket < 0)
        {
            return types.GetValueOrDefault(s);
        }
        string defName = s[..bracket];
        Type? def = types.GetValueOrDefault(defName);
        if (def is null) return null;
        var args = SplitArgs(s[(bracket + 1)..^1]).Select(a => ParseType(a, types)).ToArray();
        if (args.Any(a => a is null) || def.GetGenericArguments().Length != args.Length) return null;
        try { return def.MakeGenericType(args!); } catch (ArgumentException) { return null; }
    }

    static List<string> SplitArgs(string s)
    {
        var result = new List<string>();
        int depth = 0, start = 0;
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] == '[') depth++;
            else if (s[i] == ']') depth--;
            else if (s[i] == ',' && depth == 0)
            {
                result.Add(s[start..i]);
                start = i + 1;
            }
        }
        result.Add(s[start..]);
        return result;
    }

    static int IndexAtDepth0(string s, char c, int from)
    {
        int depth = 0;
        for (int i = from; i < s.Length; i++)
        {
            if (s[i] == c && depth == 0) return i;
            if (s[i] == '[') depth++;
            else if (s[i] == ']') depth--;
        }
        return -1;
    }
}

/// <summary>Writes methods as a .mibc (zipped, as dotnet-pgo does by default).</summary>
sealed class MibcWriter(Type canon, bool hot, Func<IReadOnlyCollection<string>, string?>? home)
{
    readonly MetadataBuilder _md = new();
    readonly Dictionary<string, AssemblyReferenceHandle> _asmRefs = new();
    readonly Dictionary<Type, EntityHandle> _typeRefs = new();
    readonly Dictionary<Type, EntityHandle> _typeSpecs = new();
    readonly Dictionary<MethodBase, EntityHandle> _methodRefs = new();

    public int Write(List<MethodBase> methods, string output, bool verbose)
    {
        // Named after the file with its extension, as dotnet-pgo does, so it never shares a name with an input assembly.
        string name = Path.GetFileName(output);
        _md.AddModule(0, _md.GetOrAddString(name), _md.GetOrAddGuid(new Guid(System.Security.Cryptography.MD5.HashData(System.Text.Encoding.UTF8.GetBytes(name)))), default, default);
        _md.AddAssembly(_md.GetOrAddString(name), new Version(1, 0, 0, 0), default, default, 0, AssemblyHashAlgorithm.None);

        var groups = new SortedDictionary<string, List<EntityHandle>>(StringComparer.Ordinal);
        int written = 0;
        // A stable order (not the JIT's, which varies with threads), so the same methods give the same file.
        methods = methods.OrderBy(m => m.DeclaringType!.Assembly.GetName().Name, StringComparer.Ordinal)
            .ThenBy(m => m.DeclaringType!.ToString(), StringComparer.Ordinal).ThenBy(m => m.ToString(), StringComparer.Ordinal).ToList();
        foreach (MethodBase m in methods)
        {
            EntityHandle handle;
            try
            {
                handle = MethodRef(m);
            }
            catch (NotSupportedException e)
            {
                if (verbose) Console.Error.WriteLine($"skipped {m.DeclaringType}::{m}: {e.Message}");
                continue;
            }
            string defining = m.DeclaringType!.Assembly.GetName().Name!;
            var others = new SortedSet<string>(StringComparer.Ordinal);
            AddAssemblies(m.DeclaringType!, others);
            if (m.IsGenericMethod) foreach (Type a in m.GetGenericArguments()) AddAssemblies(a, others);
            string group;
            if (home is null)
            {
                others.Remove(defining);
                group = defining + ";" + string.Concat(others.Select(o => o + ";"));
            }
            else
            {
                others.Add(defining);
                if (home(others) is not { } at) continue;
                group = at + ";";
            }
            if (!groups.TryGetValue(group, out var list)) groups[group] = list = new();
            list.Add(handle);
            written++;
        }

        var bodies = new BlobBuilder();
        var encoder = new MethodBodyStreamEncoder(bodies);
        var voidSig = new BlobBuilder();
        new BlobEncoder(voidSig).MethodSignature().Parameters(0, r => r.Void(), p => { });
        BlobHandle voidSigHandle = _md.GetOrAddBlob(voidSig);
        var groupMethods = new List<(string Name, MethodDefinitionHandle Handle)>();
        var defs = new List<(string Name, int Offset)>();
        int index = 0;
        foreach (var (group, handles) in groups)
        {
            var il = new InstructionEncoder(new BlobBuilder());
            foreach (EntityHandle h in handles)
            {
                il.OpCode(ILOpCode.Ldtoken);
                il.Token(h);
                if (hot)
                {
                    // A weight above zero puts the method in the hot region of --method-layout:hotcold.
                    il.LoadString(_md.GetOrAddUserString("ExclusiveWeight"));
                    il.LoadConstantI4(1);
                }
                il.OpCode(ILOpCode.Pop);
            }
            defs.Add(($"Assemblies_{group}_{++index}", encoder.AddMethodBody(il, maxStack: 8)));
        }
        // AssemblyDictionary comes last; its IL refers to the group methods by their (future) MethodDef rows 1..n.
        var dict = new InstructionEncoder(new BlobBuilder());
        int row = 1;
        foreach (var group in groups.Keys)
        {
            dict.LoadString(_md.GetOrAddUserString(group));
            dict.OpCode(ILOpCode.Ldtoken);
            dict.Token(MetadataTokens.MethodDefinitionHandle(row++));
            dict.OpCode(ILOpCode.Pop);
        }
        dict.OpCode(ILOpCode.Ret);
        defs.Add(("AssemblyDictionary", encoder.AddMethodBody(dict, maxStack: 8)));

        MethodDefinitionHandle first = default;
        foreach (var (methodName, offset) in defs)
        {
            var h = _md.AddMethodDefinition(MethodAttributes.Public | MethodAttributes.Static, MethodImplAttributes.IL,
                _md.GetOrAddString(methodName), voidSigHandle, offset, default);
            if (first.IsNil) first = h;
        }
        _md.AddTypeDefinition(default, default, _md.GetOrAddString("<Module>"), default,
            MetadataTokens.FieldDefinitionHandle(1), first);

        var pe = new ManagedPEBuilder(new PEHeaderBuilder(imageCharacteristics: Characteristics.Dll | Characteristics.ExecutableImage),
            new MetadataRootBuilder(_md), bodies,
            deterministicIdProvider: content =>
            {
                using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
                foreach (Blob b in content) hash.AppendData(b.GetBytes());
                return BlobContentId.FromHash(hash.GetHashAndReset());
            });
        var blob = new BlobBuilder();
        pe.Serialize(blob);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
        using var file = File.Create(output);
        // The compressed form crossgen2 also reads: a zip whose one entry is "<file name>.dll". A fixed entry time
        // keeps the file the same for the same methods.
        using var zip = new System.IO.Compression.ZipArchive(file, System.IO.Compression.ZipArchiveMode.Create);
        var entry = zip.CreateEntry(name + ".dll", System.IO.Compression.CompressionLevel.SmallestSize);
        entry.LastWriteTime = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        using (var stream = entry.Open())
        {
            blob.WriteContentTo(stream);
        }
        return written;
    }

    void AddAssemblies(Type t, SortedSet<string> into)
    {
        while (t.HasElementType) t = t.GetElementType()!;
        if (t.IsPrimitive || t == canon || t.IsGenericParameter) return;
        into.Add(t.Assembly.GetName().Name!);
        if (t.IsConstructedGenericType) foreach (Type a in t.GetGenericArguments()) AddAssemblies(a, into);
    }

    AssemblyReferenceHandle AsmRef(string name)
    {
        if (!_asmRefs.TryGetValue(name, out var h))
        {
            _asmRefs[name] = h = _md.AddAssemblyReference(_md.GetOrAddString(name), new Version(0, 0, 0, 0), default, default, 0, default);
        }
        return h;
    }

    EntityHandle TypeRef(Type t)
    {
        if (_typeRefs.TryGetValue(t, out var h)) return h;
        EntityHandle scope = t == canon ? AsmRef("System.Private.Canon")
            : t.IsNested ? TypeRef(t.DeclaringType!) : AsmRef(t.Assembly.GetName().Name!);
        h = _md.AddTypeReference(scope, t.IsNested ? default : _md.GetOrAddString(t.Namespace ?? ""), _md.GetOrAddString(t.Name));
        _typeRefs[t] = h;
        return h;
    }

    EntityHandle TypeSpecOrRef(Type t)
    {
        if (!t.IsConstructedGenericType && !t.HasElementType) return TypeRef(t);
        if (_typeSpecs.TryGetValue(t, out var h)) return h;
        var b = new BlobBuilder();
        Encode(new BlobEncoder(b).TypeSpecificationSignature(), t);
        h = _md.AddTypeSpecification(_md.GetOrAddBlob(b));
        _typeSpecs[t] = h;
        return h;
    }

    void Encode(SignatureTypeEncoder e, Type t)
    {
        if (t.IsGenericParameter)
        {
            if (t.DeclaringMethod is not null) e.GenericMethodTypeParameter(t.GenericParameterPosition);
            else e.GenericTypeParameter(t.GenericParameterPosition);
            return;
        }
        if (t.IsSZArray) { Encode(e.SZArray(), t.GetElementType()!); return; }
        if (t.IsArray)
        {
            int rank = t.GetArrayRank();
            e.Array(out var elem, out var shape);
            Encode(elem, t.GetElementType()!);
            shape.Shape(rank, ImmutableArray<int>.Empty, ImmutableArray<int>.Empty);
            return;
        }
        if (t.IsPointer) { Encode(e.Pointer(), t.GetElementType()!); return; }
        if (t.IsByRef || t.IsFunctionPointer) throw new NotSupportedException($"type {t}");
        switch (t.FullName)
        {
            case "System.Boolean": e.Boolean(); return;
            case "System.Char": e.Char(); return;
            case "System.SByte": e.SByte(); return;
            case "System.Byte": e.Byte(); return;
            case "System.Int16": e.Int16(); return;
            case "System.UInt16": e.UInt16(); return;
            case "System.Int32": e.Int32(); return;
            case "System.UInt32": e.UInt32(); return;
            case "System.Int64": e.Int64(); return;
            case "System.UInt64": e.UInt64(); return;
            case "System.Single": e.Single(); return;
            case "System.Double": e.Double(); return;
            case "System.IntPtr": e.IntPtr(); return;
            case "System.UIntPtr": e.UIntPtr(); return;
            case "System.Object": e.Object(); return;
            case "System.String": e.String(); return;
            case "System.TypedReference": e.Builder.WriteByte((byte)SignatureTypeCode.TypedReference); return;
        }
        if (t.IsConstructedGenericType)
        {
            Type def = t.GetGenericTypeDefinition();
            Type[] args = t.GetGenericArguments();
            var ga = e.GenericInstantiation(TypeRef(def), args.Length, def.IsValueType);
            foreach (Type a in args) Encode(ga.AddArgument(), a);
            return;
        }
        e.Type(TypeRef(t), t != canon && t.IsValueType);
    }

    void EncodeModifiers(CustomModifiersEncoder m, Type[] required, Type[] optional)
    {
        foreach (Type r in required) m = m.AddModifier(TypeRef(r), isOptional: false);
        foreach (Type o in optional) m = m.AddModifier(TypeRef(o), isOptional: true);
    }

    void EncodeParam(Type type, Type[] req, Type[] opt, CustomModifiersEncoder mods, Func<bool, SignatureTypeEncoder> typeEncoder, Action voidEncoder)
    {
        EncodeModifiers(mods, req, opt);
        if (type.FullName == "System.Void") { voidEncoder(); return; }
        bool byRef = type.IsByRef;
        Encode(typeEncoder(byRef), byRef ? type.GetElementType()! : type);
    }

    EntityHandle MethodRef(MethodBase m)
    {
        if (_methodRefs.TryGetValue(m, out var h)) return h;
        Type owner = m.DeclaringType!;
        // The signature is the definition's (generic parameters as VAR/MVAR), the parent the instantiated type.
        MethodBase def = m;
        if (m is MethodInfo { IsGenericMethod: true } gm) def = gm.GetGenericMethodDefinition();
        if (owner.IsConstructedGenericType)
        {
            Type ownerDef = owner.GetGenericTypeDefinition();
            def = ownerDef.GetMembers(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
                .OfType<MethodBase>().Single(x => x.MetadataToken == def.MetadataToken);
        }
        var sig = new BlobBuilder();
        int genericCount = def.IsGenericMethodDefinition ? def.GetGenericArguments().Length : 0;
        var ps = def.GetParameters();
        var methodSig = new BlobEncoder(sig).MethodSignature(
            def.CallingConvention.HasFlag(CallingConventions.VarArgs) ? SignatureCallingConvention.VarArgs : SignatureCallingConvention.Default,
            genericCount, isInstanceMethod: !def.IsStatic);
        ParameterInfo? ret = (def as MethodInfo)?.ReturnParameter;
        methodSig.Parameters(ps.Length,
            r =>
            {
                if (ret is null) { r.Void(); return; }
                EncodeParam(ret.ParameterType, ret.GetRequiredCustomModifiers(), ret.GetOptionalCustomModifiers(), r.CustomModifiers(),
                    byRef => r.Type(byRef), () => r.Void());
            },
            p =>
            {
                foreach (ParameterInfo pi in ps)
                {
                    var pe = p.AddParameter();
                    EncodeParam(pi.ParameterType, pi.GetRequiredCustomModifiers(), pi.GetOptionalCustomModifiers(), pe.CustomModifiers(),
                        byRef => pe.Type(byRef), () => throw new NotSupportedException("void parameter"));
                }
            });
        EntityHandle memberRef = _md.AddMemberReference(TypeSpecOrRef(owner), _md.GetOrAddString(def.Name), _md.GetOrAddBlob(sig));
        h = memberRef;
        if (m.IsGenericMethod)
        {
            var inst = new BlobBuilder();
            Type[] args = m.GetGenericArguments();
            var ge = new BlobEncoder(inst).MethodSpecificationSignature(args.Length);
            foreach (Type a in args) Encode(ge.AddArgument(), a);
            h = _md.AddMethodSpecification(memberRef, _md.GetOrAddBlob(inst));
        }
        _methodRefs[m] = h;
        return h;
    }
}
