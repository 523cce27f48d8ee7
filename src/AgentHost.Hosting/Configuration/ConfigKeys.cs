namespace AgentHost.Hosting.Configuration;

/// <summary>Helpers for dotted configuration keys. Keys compare case-insensitively.</summary>
public static class ConfigKeys
{
    /// <summary>How keys are matched everywhere.</summary>
    public static readonly StringComparer Comparer = StringComparer.OrdinalIgnoreCase;

    /// <summary>Orders keys segment by segment, list indices numerically (<c>feeds.2</c> before <c>feeds.10</c>).</summary>
    public static readonly IComparer<string> Order = Comparer<string>.Create(CompareNatural);

    /// <summary>Joins a prefix and a segment with a dot (the segment alone under the empty prefix).</summary>
    /// <param name="prefix">The prefix.</param>
    /// <param name="segment">The segment.</param>
    /// <returns>The key.</returns>
    public static string Join(string prefix, string segment) => prefix.Length == 0 ? segment : prefix + "." + segment;

    /// <summary>Whether <paramref name="key"/> is strictly below <paramref name="prefix"/>.</summary>
    public static bool IsUnder(string key, string prefix) =>
        prefix.Length == 0
        || (key.Length > prefix.Length + 1
            && key[prefix.Length] == '.'
            && key.StartsWith(prefix, StringComparison.OrdinalIgnoreCase));

    /// <summary>Whether a segment is a list index (up to nine ASCII digits).</summary>
    /// <param name="segment">The segment.</param>
    /// <returns>Whether it is.</returns>
    public static bool IsIndex(string segment) =>
        segment.Length > 0 && segment.Length <= 9 && segment.All(char.IsAsciiDigit);

    /// <summary>Whether every segment of a key is non-empty.</summary>
    public static bool IsWellFormed(string key) =>
        key.Length > 0 && !key.Split('.').Any(segment => segment.Trim().Length == 0);

    private static int CompareNatural(string? left, string? right)
    {
        if (left is null || right is null)
        {
            return left is null ? (right is null ? 0 : -1) : 1;
        }

        var a = left.Split('.');
        var b = right.Split('.');
        for (var i = 0; i < Math.Min(a.Length, b.Length); i++)
        {
            var result = IsIndex(a[i]) && IsIndex(b[i])
                ? int.Parse(a[i], System.Globalization.CultureInfo.InvariantCulture)
                    .CompareTo(int.Parse(b[i], System.Globalization.CultureInfo.InvariantCulture))
                : StringComparer.OrdinalIgnoreCase.Compare(a[i], b[i]);
            if (result != 0)
            {
                return result;
            }
        }

        return a.Length.CompareTo(b.Length);
    }
}
