using System.Globalization;

namespace AgentHost.Hosting.Plugins.Manifests;

/// <summary>A range of SDK versions a plugin accepts, written npm-style.</summary>
/// <remarks>
/// Accepted forms, combinable with spaces (all must hold): <c>&gt;=1.0</c>, <c>&gt;1.2</c>, <c>&lt;2.0</c>,
/// <c>&lt;=1.5</c>, <c>=1.0.0</c> or <c>1.0.0</c> (exact), <c>^1.2</c> (same major, at least 1.2),
/// <c>~1.2</c> (same major and minor), <c>1.x</c> / <c>1.*</c> (any 1.*).
/// </remarks>
public sealed class SdkRange
{
    private readonly IReadOnlyList<(string Op, Version Version)> _comparators;

    private SdkRange(string text, IReadOnlyList<(string Op, Version Version)> comparators)
    {
        Text = text;
        _comparators = comparators;
    }

    /// <summary>The range as written.</summary>
    public string Text { get; }

    /// <summary>Parses a range.</summary>
    /// <param name="text">The text.</param>
    /// <param name="range">The range when valid.</param>
    /// <param name="error">Why it is invalid.</param>
    /// <returns>Whether it parsed.</returns>
    public static bool TryParse(string text, out SdkRange? range, out string? error)
    {
        range = null;
        error = null;
        var comparators = new List<(string, Version)>();
        var parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 0)
        {
            error = "the range is empty";
            return false;
        }

        foreach (var part in parts)
        {
            if (!TryAddComparators(part, comparators))
            {
                error = $"'{part}' is not a version constraint (use forms like '>=1.0 <2.0', '^1.0' or '1.x')";
                return false;
            }
        }

        range = new SdkRange(text, comparators);
        return true;
    }

    /// <summary>Whether <paramref name="version"/> satisfies the range.</summary>
    /// <param name="version">The SDK version.</param>
    /// <returns><see langword="true"/> when satisfied.</returns>
    public bool Contains(Version version)
    {
        ArgumentNullException.ThrowIfNull(version);
        var v = Normalize(version);
        foreach (var (op, bound) in _comparators)
        {
            var c = v.CompareTo(bound);
            var ok = op switch
            {
                ">=" => c >= 0,
                ">" => c > 0,
                "<=" => c <= 0,
                "<" => c < 0,
                _ => c == 0,
            };
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc />
    public override string ToString() => Text;

    private static bool TryAddComparators(string part, List<(string, Version)> comparators)
    {
        string[] ops = [">=", "<=", ">", "<", "=", "^", "~"];
        var op = ops.FirstOrDefault(o => part.StartsWith(o, StringComparison.Ordinal)) ?? string.Empty;
        var body = part[op.Length..];
        if (op.Length == 0 && (body.EndsWith(".x", StringComparison.OrdinalIgnoreCase) || body.EndsWith(".*", StringComparison.Ordinal)))
        {
            if (!TryParseVersion(body[..^2], out var prefix))
            {
                return false;
            }

            var dots = body[..^2].Count(c => c == '.');
            comparators.Add((">=", prefix));
            comparators.Add(("<", dots == 0 ? new Version(prefix.Major + 1, 0, 0) : new Version(prefix.Major, prefix.Minor + 1, 0)));
            return true;
        }

        if (!TryParseVersion(body, out var version))
        {
            return false;
        }

        switch (op)
        {
            case "^":
                comparators.Add((">=", version));
                comparators.Add(("<", new Version(version.Major + 1, 0, 0)));
                break;
            case "~":
                comparators.Add((">=", version));
                comparators.Add(("<", new Version(version.Major, version.Minor + 1, 0)));
                break;
            case "":
                comparators.Add(("=", version));
                break;
            default:
                comparators.Add((op, version));
                break;
        }

        return true;
    }

    private static bool TryParseVersion(string text, out Version version)
    {
        version = new Version(0, 0, 0);
        var pieces = text.Split('.');
        if (pieces.Length is < 1 or > 3)
        {
            return false;
        }

        var numbers = new int[3];
        for (var i = 0; i < pieces.Length; i++)
        {
            if (!int.TryParse(pieces[i], NumberStyles.None, CultureInfo.InvariantCulture, out numbers[i]))
            {
                return false;
            }
        }

        version = new Version(numbers[0], numbers[1], numbers[2]);
        return true;
    }

    private static Version Normalize(Version v) => new(v.Major, Math.Max(v.Minor, 0), Math.Max(v.Build, 0));
}
