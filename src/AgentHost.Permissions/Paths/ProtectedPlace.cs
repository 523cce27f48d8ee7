namespace AgentHost.Permissions.Paths;

/// <summary>What a part of a <see cref="ProtectedPlace"/> is.</summary>
internal enum PlaceKind
{
    /// <summary>A folder above the place's names (the root, the home directory): any folders of a word may stand for it.</summary>
    Anchor,

    /// <summary>One of the place's own names: a name of the word with literal characters must spell it.</summary>
    Name,

    /// <summary>Any number of folders (what is below the place, or the folders above a name found anywhere).</summary>
    AnyPath,
}

/// <summary>One part of a <see cref="ProtectedPlace"/>.</summary>
/// <param name="Kind">What it is.</param>
/// <param name="Name">The name glob (anchors and names), or <see langword="null"/> for <see cref="PlaceKind.AnyPath"/>.</param>
/// <param name="ExceptSuffix">A name whose every spelling ends with this is not the place's (<c>id_*</c> but not <c>*.pub</c>).</param>
internal sealed record PlacePart(PlaceKind Kind, NameGlob? Name, string? ExceptSuffix = null);

/// <summary>
/// A protected place as a sequence of names, for <see cref="ComputedPath.CouldSpell"/>: a credential store below the
/// home directory (<c>~/.ssh/id_*</c>), a folder found anywhere (<c>**/.git/**</c>, <c>**/.agent/**</c>), or an
/// absolute folder (the global configuration folder). Immutable.
/// </summary>
internal sealed class ProtectedPlace
{
    private ProtectedPlace(IReadOnlyList<PlacePart> parts, string area)
    {
        Parts = parts;
        Area = area;
    }

    /// <summary>The parts, from the root.</summary>
    public IReadOnlyList<PlacePart> Parts { get; }

    /// <summary>The place as people read it (<c>~/.ssh/id_*</c>, <c>.git</c>, a folder's path).</summary>
    public string Area { get; }

    /// <summary>A place below the home directory: <paramref name="pattern"/> is relative to it (<c>.ssh/id_*</c>).</summary>
    /// <param name="home">The home directory.</param>
    /// <param name="pattern">The names below it, globs allowed.</param>
    /// <param name="andBelow">Whether everything below the place is part of it.</param>
    /// <returns>The place.</returns>
    public static ProtectedPlace BelowHome(string home, string pattern, bool andBelow)
    {
        var parts = Anchors(home);
        parts.AddRange(Names(pattern));
        if (andBelow)
        {
            parts.Add(new PlacePart(PlaceKind.AnyPath, null));
        }

        return new ProtectedPlace(parts, "~/" + pattern);
    }

    /// <summary>The same place, except names of the word that always end with <paramref name="suffix"/> in its last name (<c>*.pub</c> for <c>id_*</c>).</summary>
    /// <param name="suffix">The suffix.</param>
    /// <returns>The place.</returns>
    public ProtectedPlace Except(string suffix)
    {
        var parts = Parts.ToList();
        var last = parts.FindLastIndex(part => part.Kind == PlaceKind.Name);
        parts[last] = parts[last] with { ExceptSuffix = suffix };
        return new ProtectedPlace(parts, Area);
    }

    /// <summary>A run of names found at any depth (<c>.git</c>, <c>.claude/skills</c>), with or without what is below it.</summary>
    /// <param name="pattern">The names, separated by <c>/</c>.</param>
    /// <param name="andBelow">Whether everything below the place is part of it.</param>
    /// <returns>The place.</returns>
    public static ProtectedPlace Anywhere(string pattern, bool andBelow)
    {
        List<PlacePart> parts = [new(PlaceKind.AnyPath, null), .. Names(pattern)];
        if (andBelow)
        {
            parts.Add(new PlacePart(PlaceKind.AnyPath, null));
        }

        return new ProtectedPlace(parts, pattern);
    }

    /// <summary>
    /// An absolute folder or file, with or without what is below it. Its names are the components below the home
    /// directory when it is there (<c>.config/agent</c> of <c>~/.config/agent</c>), else all of them.
    /// </summary>
    /// <param name="fullPath">The absolute path.</param>
    /// <param name="home">The home directory.</param>
    /// <param name="andBelow">Whether everything below the place is part of it.</param>
    /// <returns>The place.</returns>
    public static ProtectedPlace Folder(string fullPath, string home, bool andBelow)
    {
        var path = Path.TrimEndingDirectorySeparator(fullPath);
        var anchor = PathSandbox.IsInside(path, home) && path.Length > home.TrimEnd('/', '\\').Length ? home : string.Empty;
        var parts = Anchors(anchor);
        parts.AddRange(Names(path[anchor.Length..]));
        if (andBelow)
        {
            parts.Add(new PlacePart(PlaceKind.AnyPath, null));
        }

        return new ProtectedPlace(parts, path);
    }

    private static List<PlacePart> Anchors(string folder) =>
        [.. Split(folder).Select(name => new PlacePart(PlaceKind.Anchor, NameGlob.Literal(name)))];

    private static IEnumerable<PlacePart> Names(string pattern) =>
        Split(pattern).Select(name => new PlacePart(PlaceKind.Name, NameGlob.Parse(name)));

    private static string[] Split(string path) => path.Replace('\\', '/').Split('/', StringSplitOptions.RemoveEmptyEntries);
}
