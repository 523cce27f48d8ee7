using System.Globalization;
using System.Text;
using AgentHost.Sdk.Tools;

namespace AgentHost.Plugins.Git;

/// <summary>
/// Leaves the sections of a patch (<c>diff --git …</c> up to the next section or commit) out of a tool's result when
/// the read rules do not allow showing one of the files it names (<see cref="ToolContext.CheckRead"/>): a patch shows a
/// file's content as surely as reading it. A section whose paths cannot be told is left out too (fail closed).
/// </summary>
/// <remarks>The git commands feeding it pass <see cref="PrefixArguments"/>, so a repository's configuration cannot change the headers parsed here.</remarks>
internal static class PatchReadFilter
{
    /// <summary>Arguments that fix the patch headers whatever the repository's configuration says (prefixes, colour, external diff).</summary>
    public static readonly string[] PrefixArguments = ["--no-color", "--no-ext-diff", "--src-prefix=a/", "--dst-prefix=b/"];

    /// <summary>Filters <paramref name="patch"/>.</summary>
    /// <param name="patch">git's output: commits and/or patches.</param>
    /// <param name="root">The directory the paths are relative to (git runs there with <c>--relative</c>).</param>
    /// <param name="canRead">The call's read check.</param>
    /// <param name="withheld">How many sections were left out.</param>
    /// <returns>The patch without the sections not allowed; each is replaced by one line naming the file.</returns>
    public static string Filter(string patch, string root, Func<string, ReadAccess> canRead, out int withheld)
    {
        withheld = 0;
        if (!patch.Contains("diff --", StringComparison.Ordinal))
        {
            return patch;
        }

        var lines = patch.Split('\n');
        var text = new StringBuilder(patch.Length);
        var i = 0;
        while (i < lines.Length)
        {
            if (!IsSectionStart(lines[i]))
            {
                Append(text, lines[i], i, lines.Length);
                i++;
                continue;
            }

            var end = i + 1;
            while (end < lines.Length && !IsSectionStart(lines[end]) && !IsOutsideSection(lines[end]))
            {
                end++;
            }

            var paths = PathsOf(lines, i, end);
            var denied = paths.Count == 0 ? "(a file whose name could not be read)" : paths.FirstOrDefault(path => !canRead(Path.Combine(root, path)).Allowed);
            if (denied is null)
            {
                for (var k = i; k < end; k++)
                {
                    Append(text, lines[k], k, lines.Length);
                }
            }
            else
            {
                withheld++;
                Append(text, $"[changes of {denied} left out: the read permission rules do not allow showing this file]", end - 1, lines.Length);
            }

            i = end;
        }

        return text.ToString();
    }

    /// <summary>The note added after a result from which sections were left out.</summary>
    public static string Note(int withheld) => string.Create(
        CultureInfo.InvariantCulture,
        $"\n[{withheld} {(withheld == 1 ? "file's changes were" : "files' changes were")} left out by the read permission rules; the user can read such a file explicitly (e.g. with view), which asks or is denied by the rules.]");

    private static void Append(StringBuilder text, string line, int index, int count)
    {
        text.Append(line);
        if (index < count - 1)
        {
            text.Append('\n');
        }
    }

    private static bool IsSectionStart(string line) =>
        line.StartsWith("diff --git ", StringComparison.Ordinal) || line.StartsWith("diff --cc ", StringComparison.Ordinal) || line.StartsWith("diff --combined ", StringComparison.Ordinal);

    /// <summary>A line that cannot belong to a patch section: the next commit of <c>git show</c>/<c>log</c> output.</summary>
    private static bool IsOutsideSection(string line) => line.StartsWith("commit ", StringComparison.Ordinal);

    /// <summary>Every path a section names: its header, rename/copy lines and the ---/+++ lines.</summary>
    private static List<string> PathsOf(string[] lines, int start, int end)
    {
        var paths = new List<string>();
        var header = lines[start];
        if (header.StartsWith("diff --git ", StringComparison.Ordinal))
        {
            var rest = header["diff --git ".Length..];
            if (rest.StartsWith('"'))
            {
                var first = Unquote(rest, 0, out var next);
                var second = next < rest.Length - 1 && rest[next] == ' ' ? Unquote(rest, next + 1, out _) : null;
                Add(paths, first, "a/");
                Add(paths, second, "b/");
            }
            else if (rest.Length > 5 && (rest.Length - 5) % 2 == 0 && rest.StartsWith("a/", StringComparison.Ordinal))
            {
                var half = (rest.Length - 5) / 2;
                var name = rest.Substring(2, half);
                if (rest == "a/" + name + " b/" + name)
                {
                    paths.Add(name);
                }
            }
        }
        else
        {
            var rest = header[(header.IndexOf(' ', "diff --".Length) + 1)..];
            Add(paths, rest.StartsWith('"') ? Unquote(rest, 0, out _) : rest, null);
        }

        for (var k = start + 1; k < end && !lines[k].StartsWith("@@", StringComparison.Ordinal); k++)
        {
            var line = lines[k];
            foreach (var (prefix, strip) in HeaderPrefixes)
            {
                if (line.StartsWith(prefix, StringComparison.Ordinal))
                {
                    var value = line[prefix.Length..].TrimEnd('\t');
                    Add(paths, value.StartsWith('"') ? Unquote(value, 0, out _) : value, strip);
                }
            }
        }

        return paths;
    }

    private static readonly (string Prefix, string? Strip)[] HeaderPrefixes =
    [
        ("--- ", "a/"), ("+++ ", "b/"), ("rename from ", null), ("rename to ", null), ("copy from ", null), ("copy to ", null),
    ];

    private static void Add(List<string> paths, string? value, string? strip)
    {
        if (value is null || value == "/dev/null")
        {
            return;
        }

        if (strip is not null)
        {
            if (!value.StartsWith(strip, StringComparison.Ordinal) && !value.StartsWith("a/", StringComparison.Ordinal) && !value.StartsWith("b/", StringComparison.Ordinal))
            {
                paths.Add(value); // Not as expected: check it as written too.
                return;
            }

            value = value[2..];
        }

        if (value.Length > 0 && !paths.Contains(value, StringComparer.Ordinal))
        {
            paths.Add(value);
        }
    }

    /// <summary>A C-style quoted name as git writes it (<c>"a/t\tab\303\251"</c>), from the opening quote at <paramref name="start"/>.</summary>
    private static string? Unquote(string text, int start, out int next)
    {
        next = text.Length;
        if (start >= text.Length || text[start] != '"')
        {
            return null;
        }

        var bytes = new List<byte>();
        for (var i = start + 1; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '"')
            {
                next = i + 1;
                return Encoding.UTF8.GetString([.. bytes]);
            }

            if (c != '\\' || i + 1 >= text.Length)
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(c.ToString()));
                continue;
            }

            var e = text[++i];
            if (e is >= '0' and <= '7' && i + 2 < text.Length)
            {
                bytes.Add((byte)Convert.ToInt32(text.Substring(i, 3), 8));
                i += 2;
                continue;
            }

            bytes.Add(e switch
            {
                'a' => 7, 'b' => 8, 't' => 9, 'n' => 10, 'v' => 11, 'f' => 12, 'r' => 13,
                _ => (byte)e,
            });
        }

        return null;
    }
}
