// Part of Census2Mibc (Program.cs has the usage and the format).
using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

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
    /// leaving one out leaves it to the JIT (with partial images, docs/decisions/0001-release-build-readytorun-composite.md, every method a profile lacks).
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
        const BindingFlags All = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        var candidates = new List<MethodBase>();
        IEnumerable<MethodBase> members = name is ".ctor" or ".cctor"
            ? owner.GetConstructors(All).Where(c => c.Name == name)
            : owner.GetMethods(All).Where(m => m.Name == name);
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
