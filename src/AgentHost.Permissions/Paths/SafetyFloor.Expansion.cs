using System.Globalization;
using System.Text.RegularExpressions;

namespace AgentHost.Permissions.Paths;

// What the shell makes of a command's words before rm or find sees them: IFS splitting, brace expansion, the home
// directory, and the forms of a word that could be the root or the home directory.
internal sealed partial class SafetyFloor
{
    private const int MaxBraceExpansions = 64;

    private static readonly string[] RmLongOptions = ["force", "interactive", "one-file-system", "no-preserve-root", "preserve-root", "recursive", "dir", "verbose", "help", "version"];

    private static readonly HashSet<string> Deleters = ["rm", "rmdir", "shred", "unlink"];

    [GeneratedRegex(@"\$\{IFS[^}]*\}|\$IFS(?![A-Za-z0-9_])", RegexOptions.CultureInvariant)]
    private static partial Regex IfsExpansion();

    [GeneratedRegex(@"^(?:(-?\d+)\.\.(-?\d+)|([A-Za-z])\.\.([A-Za-z]))(?:\.\.-?\d+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex BraceSequence();

    /// <summary>Splits words where an unquoted <c>$IFS</c> / <c>${IFS}</c> stands (<c>rm${IFS}-rf${IFS}~</c> is three words).</summary>
    private static List<string> SplitOnIfs(IEnumerable<string> words) =>
        [.. words.SelectMany(word => IfsExpansion().Split(word)).Where(word => word.Length > 0).DefaultIfEmpty(string.Empty)];

    /// <summary>Whether <c>rm</c>'s arguments ask for a recursive delete: <c>-r</c>/<c>-R</c> in any cluster, or <c>--recursive</c> or any unambiguous prefix of it (<c>--rec</c>).</summary>
    private static bool IsRecursive(IEnumerable<string> arguments)
    {
        foreach (var word in arguments)
        {
            if (word == "--")
            {
                break;
            }

            if (word.StartsWith("--", StringComparison.Ordinal))
            {
                var name = word[2..].Split('=')[0];
                if (CommandNormalizer.LongOptionName(name, RmLongOptions) == "recursive")
                {
                    return true;
                }
            }
            else if (word.Length > 1 && word[0] == '-' && (word.Contains('r', StringComparison.Ordinal) || word.Contains('R', StringComparison.Ordinal)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The operands of a GNU-style command: words that are not options, and every word after <c>--</c>.</summary>
    private static IEnumerable<string> Operands(List<string> arguments)
    {
        var end = arguments.IndexOf("--");
        return end < 0
            ? arguments.Where(word => !(word.Length > 1 && word[0] == '-'))
            : arguments.Take(end).Where(word => !(word.Length > 1 && word[0] == '-')).Concat(arguments.Skip(end + 1));
    }

    /// <summary>Whether a <c>find</c> expression deletes what it finds: <c>-delete</c>, or <c>-exec rm …</c> (also <c>-execdir</c>, <c>-ok</c>).</summary>
    private static bool FindDeletes(List<string> arguments)
    {
        for (var i = 0; i < arguments.Count; i++)
        {
            if (arguments[i] == "-delete")
            {
                return true;
            }

            if (arguments[i] is "-exec" or "-execdir" or "-ok" or "-okdir" && i + 1 < arguments.Count
                && (Deleters.Contains(Path.GetFileName(arguments[i + 1])) || IsComputed(arguments[i + 1])))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The starting points of <c>find</c> (after <c>-H</c>/<c>-L</c>/<c>-P</c>/<c>-D x</c>/<c>-Olevel</c>); <c>.</c> when none is given.</summary>
    private static List<string> FindStartingPoints(List<string> arguments)
    {
        var i = 0;
        while (i < arguments.Count && arguments[i] is "-H" or "-L" or "-P" or "-D" || (i < arguments.Count && arguments[i].StartsWith("-O", StringComparison.Ordinal)))
        {
            i += arguments[i] == "-D" ? 2 : 1;
        }

        var starts = arguments.Skip(i).TakeWhile(word => !(word.StartsWith('-') || word is "(" or "!" or ")" or ",")).ToList();
        return starts.Count > 0 ? starts : ["."];
    }

    /// <summary>Whether the shell computes a word at run time: a variable, a substitution, or another user's home (<c>~root</c>, <c>~+</c>). <c>$HOME</c> and <c>~/</c> are known.</summary>
    private static bool IsComputed(string word)
    {
        if (word.Length > 1 && word[0] == '~' && word[1] != '/')
        {
            return true;
        }

        var rest = word.StartsWith("${HOME}", StringComparison.Ordinal) ? word[7..] : word.StartsWith("$HOME", StringComparison.Ordinal) && !(word.Length > 5 && (char.IsAsciiLetterOrDigit(word[5]) || word[5] == '_')) ? word[5..] : word;
        return rest.Contains('$', StringComparison.Ordinal) || rest.Contains('`', StringComparison.Ordinal);
    }

    /// <summary>Whether deleting <paramref name="word"/> recursively deletes the root, the home directory or a folder holding it — in any of its brace expansions.</summary>
    private bool DeletesRootOrHome(string word, Func<string, List<string>> resolveWord) =>
        BraceExpand(word).Any(spelling => SpellingDeletesRootOrHome(spelling, resolveWord));

    private bool SpellingDeletesRootOrHome(string word, Func<string, List<string>> resolveWord)
    {
        var text = TrimToTarget(word);
        if (text is "" or "~" or "$HOME" or "${HOME}")
        {
            return true;
        }

        if (IsComputed(text))
        {
            // Known only at run time: it may be the root or the home unless its last component is a plain name that no folder on the way to the home directory has.
            var last = text[(LastSeparator(text) + 1)..];
            return last.Length == 0 || last is "." or ".." || IsComputed(last) || last.StartsWith('~')
                || _home.Replace('\\', '/').Split('/').Any(component => component.Equals(last, StringComparison.OrdinalIgnoreCase));
        }

        return resolveWord(text).Any(IsRootHomeOrAncestor);
    }

    /// <summary>The index of the last <c>/</c> outside <c>${…}</c> (<c>${HOME%/}</c> has none), or -1.</summary>
    private static int LastSeparator(string text)
    {
        var last = -1;
        var level = 0;
        for (var j = 0; j < text.Length; j++)
        {
            if (text[j] == '$' && j + 1 < text.Length && text[j + 1] == '{')
            {
                level++;
                j++;
            }
            else if (text[j] == '}' && level > 0)
            {
                level--;
            }
            else if (text[j] == '/' && level == 0)
            {
                last = j;
            }
        }

        return last;
    }

    private bool IsRootHomeOrAncestor(string candidate)
    {
        var full = candidate.Replace('\\', '/').TrimEnd('/');
        var home = _home.Replace('\\', '/');
        return full.Length == 0 || full.Equals(home, StringComparison.OrdinalIgnoreCase)
            || home.StartsWith(full + "/", StringComparison.OrdinalIgnoreCase)
            || (Path.GetPathRoot(full) is { Length: > 0 } drive && full.Length <= drive.TrimEnd('/', '\\').Length);
    }

    /// <summary>
    /// What a recursive delete of <paramref name="word"/> empties: trailing <c>/</c> and <c>/.</c> dropped, and a last
    /// component that is a glob matching (nearly) everything (<c>*</c>, <c>.*</c>, <c>.??*</c>) replaced by its folder.
    /// The root becomes the empty string.
    /// </summary>
    private static string TrimToTarget(string word)
    {
        var text = word;
        while (true)
        {
            var before = text;
            var trimmed = text.TrimEnd('/');
            if (trimmed.Length == 0 && text.Length > 0)
            {
                return string.Empty;
            }

            text = trimmed;
            if (text.EndsWith("/.", StringComparison.Ordinal))
            {
                text = text[..^2];
                if (text.Length == 0)
                {
                    return string.Empty;
                }
            }
            else
            {
                var slash = LastSeparator(text);
                if (IsEverythingGlob(text[(slash + 1)..]))
                {
                    text = slash < 0 ? "." : slash == 0 ? string.Empty : text[..slash];
                    if (text.Length == 0)
                    {
                        return string.Empty;
                    }
                }
            }

            if (text == before)
            {
                return text;
            }
        }
    }

    /// <summary>Whether a name glob has no literal letters outside <c>[…]</c>: <c>*</c>, <c>.*</c>, <c>?*</c>, <c>.[!.]*</c>.</summary>
    private static bool IsEverythingGlob(string name)
    {
        if (!(name.Contains('*', StringComparison.Ordinal) || name.Contains('?', StringComparison.Ordinal) || name.Contains('[', StringComparison.Ordinal)))
        {
            return false;
        }

        var outside = Regex.Replace(name, @"\[[^\]]*\]", string.Empty, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        return outside.All(c => c is '*' or '?' or '.');
    }

    /// <summary>The words bash's brace expansion makes of <paramref name="word"/> (<c>~/.{ssh,aws}</c>, <c>{1..3}</c>); at most 64.</summary>
    internal static List<string> BraceExpand(string word)
    {
        var results = new List<string>();
        BraceExpandInto(word, results, 0);
        return results;
    }

    private static void BraceExpandInto(string word, List<string> results, int depth)
    {
        if (results.Count >= MaxBraceExpansions)
        {
            return;
        }

        for (var open = word.IndexOf('{', StringComparison.Ordinal); open >= 0 && depth < 8; open = word.IndexOf('{', open + 1))
        {
            var close = MatchingBrace(word, open);
            if (close < 0)
            {
                break;
            }

            if (open > 0 && word[open - 1] == '$')
            {
                open = close;
                continue;
            }

            var inner = word[(open + 1)..close];
            var alternatives = SplitTopLevel(inner);
            if (alternatives.Count == 1 && BraceSequence().Match(inner) is { Success: true } sequence)
            {
                alternatives = Sequence(sequence);
            }

            if (alternatives.Count > 1)
            {
                foreach (var alternative in alternatives)
                {
                    BraceExpandInto(word[..open] + alternative + word[(close + 1)..], results, depth + 1);
                }

                return;
            }
        }

        results.Add(word);
    }

    private static int MatchingBrace(string word, int open)
    {
        var level = 0;
        for (var j = open; j < word.Length; j++)
        {
            if (word[j] == '{')
            {
                level++;
            }
            else if (word[j] == '}' && --level == 0)
            {
                return j;
            }
        }

        return -1;
    }

    private static List<string> SplitTopLevel(string inner)
    {
        var result = new List<string>();
        var level = 0;
        var start = 0;
        for (var j = 0; j < inner.Length; j++)
        {
            if (inner[j] == '{')
            {
                level++;
            }
            else if (inner[j] == '}')
            {
                level--;
            }
            else if (inner[j] == ',' && level == 0)
            {
                result.Add(inner[start..j]);
                start = j + 1;
            }
        }

        result.Add(inner[start..]);
        return result;
    }

    private static List<string> Sequence(Match sequence)
    {
        var result = new List<string>();
        if (sequence.Groups[1].Success)
        {
            var from = long.Parse(sequence.Groups[1].Value, CultureInfo.InvariantCulture);
            var to = long.Parse(sequence.Groups[2].Value, CultureInfo.InvariantCulture);
            for (var n = from; result.Count < MaxBraceExpansions && (from <= to ? n <= to : n >= to); n += from <= to ? 1 : -1)
            {
                result.Add(n.ToString(CultureInfo.InvariantCulture));
            }
        }
        else
        {
            var from = sequence.Groups[3].Value[0];
            var to = sequence.Groups[4].Value[0];
            for (var c = from; result.Count < MaxBraceExpansions && (from <= to ? c <= to : c >= to); c = (char)(c + (from <= to ? 1 : -1)))
            {
                result.Add(c.ToString());
            }
        }

        return result;
    }
}
