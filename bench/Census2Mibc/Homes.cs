// Part of Census2Mibc (Program.cs has the usage and the format).
using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

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
