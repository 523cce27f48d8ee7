namespace AgentHost.Permissions.Paths;

/// <summary>
/// A path as written in a shell word whose value is only known at run time (<c>~/.ss${X}h/id_rsa</c>,
/// <c>.g$(echo i)t/config</c>, <c>~/.ss?/id_*</c>), read as the set of paths it could spell, so that the safety floor
/// and the protected paths can decide it as the most dangerous of them (docs/permissions.md, "Paths computed at run
/// time").
/// </summary>
/// <remarks>
/// <para>
/// How a word is read: <c>~</c>, <c>$HOME</c> and <c>${HOME}</c> at its start are the home directory; a relative word is
/// below the working directory (any folder when that is unknown). Inside a name, an expansion (<c>$X</c>, <c>${…}</c>,
/// <c>$(…)</c>, backticks) stands for any text, like <c>*</c>; the glob characters <c>*</c>, <c>?</c> and <c>[…]</c>
/// stand for what they match (quoted or not: the most dangerous reading). A name that is nothing but expansions
/// (<c>$D</c>, <c>"$OUT"</c>), a word that starts with one and another user's home (<c>~root</c>) stand for any
/// number of folders, the root included.
/// </para>
/// <para>
/// A protected place's own names (<c>.ssh</c> and <c>id_*</c> of <c>~/.ssh/id_*</c>, the <c>.git</c> of any
/// <c>.git</c> folder) must each be spelled by a name of the word with literal characters: <c>~/.ss${X}h/id_rsa</c>
/// and <c>.g${X}it/config</c> can spell one; <c>$D/config.yaml</c>, <c>cat $X</c> or <c>cat "$F"</c> cannot (every
/// variable could hold any path; those words stay decided as computed paths, by the mode and the rules). The home
/// directory and the folders above a place are not its names: a leading <c>$D</c> may stand for them.
/// </para>
/// Immutable and thread-safe. Names are compared without case (the most dangerous reading on every file system).
/// </remarks>
internal sealed class ComputedPath
{
    private readonly Part[] _parts;

    private ComputedPath(Part[] parts) => _parts = parts;

    /// <summary>
    /// Reads a word, or returns <see langword="null"/> when nothing in it is computed at run time (no expansion, no
    /// glob character, no other user's home): such a word is one known path and is decided as that.
    /// </summary>
    /// <param name="word">The word as the parser gives it (quotes removed, expansions kept as written).</param>
    /// <param name="home">The home directory.</param>
    /// <param name="baseDirectory">What a relative word is relative to, or <see langword="null"/> when only known at run time.</param>
    /// <param name="globs">Whether <c>*</c>, <c>?</c> and <c>[…]</c> are glob characters (a shell word), not plain ones (a file tool's path).</param>
    /// <returns>The computed path, or <see langword="null"/>.</returns>
    public static ComputedPath? Parse(string word, string home, string? baseDirectory, bool globs = true)
    {
        ArgumentNullException.ThrowIfNull(word);
        if (!IsComputed(word, globs))
        {
            return null;
        }

        var parts = new List<Part>();
        var rest = word.Replace('\\', '/');
        if (KnownHome(rest) is { } afterHome)
        {
            AddKnown(parts, home);
            rest = afterHome;
        }
        else if (rest.StartsWith('~'))
        {
            // ~root, ~+, ~-: another place the engine cannot know.
            parts.Add(Part.AnyPath);
            var slash = rest.IndexOf('/', StringComparison.Ordinal);
            rest = slash < 0 ? string.Empty : rest[slash..];
        }
        else if (rest.StartsWith('/'))
        {
            // Absolute: aligned from the root.
        }
        else if (NameGlob.StartsWithExpansion(rest) || baseDirectory is null)
        {
            // '$D/x', '${X}id_rsa' (the value may hold folders, even an absolute path), or relative to an unknown folder.
            parts.Add(Part.AnyPath);
        }
        else
        {
            AddKnown(parts, baseDirectory);
        }

        foreach (var name in rest.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            AddName(parts, name, globs);
        }

        return new ComputedPath([.. parts]);
    }

    /// <summary>Whether some value of the word's computed parts spells a path of <paramref name="place"/>.</summary>
    /// <param name="place">The protected place.</param>
    /// <returns>Whether it could.</returns>
    public bool CouldSpell(ProtectedPlace place)
    {
        ArgumentNullException.ThrowIfNull(place);
        var memo = new bool?[_parts.Length + 1, place.Parts.Count + 1];
        return Aligns(0, 0, place.Parts, memo);
    }

    /// <summary>Whether the text has anything computed at run time: an expansion, a glob character, another user's home.</summary>
    /// <param name="word">The word.</param>
    /// <param name="globs">Whether glob characters count (a shell word).</param>
    internal static bool IsComputed(string word, bool globs = true) =>
        PathSandbox.HasExpansion(word) || (globs && PathPattern.HasGlob(word)) || PathSandbox.IsOtherUsersHome(word);

    private bool Aligns(int i, int j, IReadOnlyList<PlacePart> place, bool?[,] memo)
    {
        if (memo[i, j] is { } known)
        {
            return known;
        }

        bool result;
        var word = i < _parts.Length ? _parts[i] : null;
        var part = j < place.Count ? place[j] : null;
        if (word is null && part is null)
        {
            result = true;
        }
        else if (part is { Kind: PlaceKind.AnyPath })
        {
            // Any folders of the place (what is below it, or anything above a name found anywhere) take any part of the word.
            result = Aligns(i, j + 1, place, memo) || (word is not null && Aligns(i + 1, j, place, memo));
        }
        else if (word is { IsAnyPath: true })
        {
            // Any folders of the word stand for the place's anchor (the home directory, folders above it), never its names.
            result = Aligns(i + 1, j, place, memo) || (part is { Kind: PlaceKind.Anchor } && Aligns(i, j + 1, place, memo));
        }
        else if (word is null || part is null)
        {
            result = false;
        }
        else
        {
            var spells = part.Kind == PlaceKind.Anchor || (word.HasLiteral && !(part.ExceptSuffix is { } suffix && word.Name!.EndsWithLiteral(suffix)));
            result = spells && word.Name!.Overlaps(part.Name!) && Aligns(i + 1, j + 1, place, memo);
        }

        memo[i, j] = result;
        return result;
    }

    /// <summary>The rest of the word after <c>~</c>, <c>$HOME</c> or <c>${HOME}</c> at its start, or <see langword="null"/>.</summary>
    private static string? KnownHome(string word)
    {
        foreach (var home in new[] { "~", "${HOME}", "$HOME" })
        {
            if (word == home || word.StartsWith(home + "/", StringComparison.Ordinal))
            {
                return word[home.Length..];
            }
        }

        return null;
    }

    private static void AddKnown(List<Part> parts, string folder)
    {
        foreach (var name in folder.Replace('\\', '/').Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            parts.Add(new Part(NameGlob.Literal(name), HasLiteral: true, IsAnyPath: false));
        }
    }

    private static void AddName(List<Part> parts, string name, bool globs)
    {
        if (name == ".")
        {
            return;
        }

        if (name == "..")
        {
            // Up from a known folder; up from any folders is any folders again.
            if (parts.Count > 0 && !parts[^1].IsAnyPath)
            {
                parts.RemoveAt(parts.Count - 1);
            }

            return;
        }

        var glob = NameGlob.Parse(name, globs);
        if (glob.IsOnlyExpansions)
        {
            // A value of its own: any number of folders (an expansion may hold '/').
            if (parts.Count == 0 || !parts[^1].IsAnyPath)
            {
                parts.Add(Part.AnyPath);
            }

            return;
        }

        parts.Add(new Part(glob, glob.HasLiteral, IsAnyPath: false));
    }

    private sealed record Part(NameGlob? Name, bool HasLiteral, bool IsAnyPath)
    {
        public static readonly Part AnyPath = new(null, HasLiteral: false, IsAnyPath: true);
    }
}
