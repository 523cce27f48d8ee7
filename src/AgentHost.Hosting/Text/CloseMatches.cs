
namespace AgentHost.Hosting.Text;

/// <summary>Finds names close to one a user typed, for "Did you mean …?" hints.</summary>
/// <remarks>Stateless and thread-safe.</remarks>
public static class CloseMatches
{
    /// <summary>The default largest edit distance that still counts as close.</summary>
    public const int DefaultMaxDistance = 3;

    /// <summary>
    /// Returns the candidates within <paramref name="maxDistance"/> edits of <paramref name="name"/>, or that contain it
    /// (or are contained in it), ignoring case; closest first, then ordinal order.
    /// </summary>
    /// <param name="name">What the user typed.</param>
    /// <param name="candidates">The known names.</param>
    /// <param name="maxDistance">The largest Levenshtein distance accepted.</param>
    /// <param name="limit">How many matches to return at most.</param>
    /// <returns>The matches, without duplicates and without <paramref name="name"/> itself.</returns>
    public static IReadOnlyList<string> Find(string name, IEnumerable<string> candidates, int maxDistance = DefaultMaxDistance, int limit = 5)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(candidates);
        var wanted = name.ToLowerInvariant();
        return candidates
            .Where(c => !string.IsNullOrEmpty(c))
            .Distinct(StringComparer.Ordinal)
            .Select(c => (Name: c, Lower: c.ToLowerInvariant()))
            .Where(c => c.Lower != wanted)
            .Select(c => (c.Name, Distance: Levenshtein(wanted, c.Lower), Contains: wanted.Length > 0 && (c.Lower.Contains(wanted, StringComparison.Ordinal) || wanted.Contains(c.Lower, StringComparison.Ordinal))))
            .Where(c => c.Distance <= maxDistance || c.Contains)
            .OrderBy(c => c.Distance)
            .ThenBy(c => c.Name, StringComparer.Ordinal)
            .Take(limit)
            .Select(c => c.Name)
            .ToList();
    }

    /// <summary>Formats matches as a hint sentence: <c> Did you mean: a, b?</c>, or an empty string when there are none.</summary>
    /// <param name="matches">The matches.</param>
    /// <returns>The hint, starting with a space.</returns>
    public static string Hint(IReadOnlyList<string> matches)
    {
        ArgumentNullException.ThrowIfNull(matches);
        return matches.Count == 0 ? string.Empty : $" Did you mean: {string.Join(", ", matches)}?";
    }

    /// <summary>The Levenshtein edit distance (insertions, deletions and substitutions) between two strings.</summary>
    /// <param name="a">The first string.</param>
    /// <param name="b">The second string.</param>
    /// <returns>The number of edits.</returns>
    public static int Levenshtein(string a, string b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
