namespace AgentHost.Common.Shell;

/// <summary>
/// The option grammar of a program the normalizer looks through: which short letters are flags, which take an argument
/// (attached, <c>-n5</c>, or as the next word, <c>-n 5</c>), which take one only when attached (<c>xargs -i{}</c>), and
/// the long options (any unambiguous prefix, as GNU getopt accepts). An option outside the grammar makes the line not
/// understood: it might take an argument and move where the command starts.
/// </summary>
/// <param name="Flags">Short options without an argument.</param>
/// <param name="WithArgument">Short options with an argument.</param>
/// <param name="OptionalArgument">Short options whose argument, if any, is attached.</param>
/// <param name="LongFlags">Long options without an argument.</param>
/// <param name="LongWithArgument">Long options with an argument (<c>--user=bob</c> or <c>--user bob</c>).</param>
/// <param name="LongOptionalArgument">Long options whose argument, if any, follows <c>=</c>.</param>
internal sealed record OptionGrammar(
    string Flags,
    string WithArgument,
    string OptionalArgument = "",
    string[]? LongFlags = null,
    string[]? LongWithArgument = null,
    string[]? LongOptionalArgument = null)
{
    /// <summary>Whether <c>-NUMBER</c> is an option (<c>nice -5</c>).</summary>
    public bool NumericOption { get; init; }

    /// <summary>Whether options may also start with <c>+</c> (<c>bash +O extglob</c>, <c>set +x</c>).</summary>
    public bool PlusOptions { get; init; }
}

/// <summary>One option as read: its name (a letter, or a long name without dashes) and its argument.</summary>
/// <param name="Name">The letter or the full long name.</param>
/// <param name="Argument">The argument, or <see langword="null"/>.</param>
internal readonly record struct ParsedOption(string Name, string? Argument);

internal static partial class CommandNormalizer
{
    /// <summary>
    /// Reads the options of <paramref name="program"/> from <paramref name="start"/>; returns the index of the first
    /// word after them (after <c>--</c> when present).
    /// </summary>
    /// <exception cref="FormatException">An option is not in the grammar, is ambiguous, or lacks its argument.</exception>
    private static int ReadOptions(string program, OptionGrammar grammar, List<string> words, int start, List<ParsedOption> options)
    {
        var i = start;
        while (i < words.Count)
        {
            var word = words[i];
            if (word == "--")
            {
                return i + 1;
            }

            var plus = grammar.PlusOptions && word.Length > 1 && word[0] == '+';
            if (!(word.Length > 1 && word[0] == '-') && !plus)
            {
                return i;
            }

            i++;
            if (grammar.NumericOption && word.Length > 1 && word[0] == '-' && word[1..].All(char.IsAsciiDigit))
            {
                options.Add(new ParsedOption("n", word[1..]));
                continue;
            }

            if (word.StartsWith("--", StringComparison.Ordinal))
            {
                i = ReadLongOption(program, grammar, words, i, word, options);
                continue;
            }

            for (var k = 1; k < word.Length; k++)
            {
                var letter = word[k];
                if (grammar.Flags.Contains(letter, StringComparison.Ordinal))
                {
                    options.Add(new ParsedOption(letter.ToString(), null));
                }
                else if (grammar.OptionalArgument.Contains(letter, StringComparison.Ordinal))
                {
                    options.Add(new ParsedOption(letter.ToString(), k + 1 < word.Length ? word[(k + 1)..] : null));
                    break;
                }
                else if (grammar.WithArgument.Contains(letter, StringComparison.Ordinal))
                {
                    if (k + 1 < word.Length)
                    {
                        options.Add(new ParsedOption(letter.ToString(), word[(k + 1)..]));
                    }
                    else if (i < words.Count)
                    {
                        options.Add(new ParsedOption(letter.ToString(), words[i++]));
                    }
                    else
                    {
                        throw new FormatException($"'{program}' option '{word[0]}{letter}' has no argument");
                    }

                    break;
                }
                else
                {
                    throw new FormatException($"'{program}' option '{word[0]}{letter}' (in '{word}') is not understood, so where the command starts is unknown");
                }
            }
        }

        return i;
    }

    private static int ReadLongOption(string program, OptionGrammar grammar, List<string> words, int i, string word, List<ParsedOption> options)
    {
        var equals = word.IndexOf('=', StringComparison.Ordinal);
        var name = equals < 0 ? word[2..] : word[2..equals];
        var value = equals < 0 ? null : word[(equals + 1)..];
        var full = LongOptionName(name, [.. grammar.LongFlags ?? [], .. grammar.LongWithArgument ?? [], .. grammar.LongOptionalArgument ?? []])
            ?? throw new FormatException($"'{program}' option '--{name}' is not understood (or is ambiguous), so where the command starts is unknown");
        if ((grammar.LongWithArgument ?? []).Contains(full, StringComparer.Ordinal))
        {
            if (value is null)
            {
                if (i >= words.Count)
                {
                    throw new FormatException($"'{program}' option '--{full}' has no argument");
                }

                value = words[i++];
            }
        }
        else if ((grammar.LongFlags ?? []).Contains(full, StringComparer.Ordinal) && value is not null)
        {
            throw new FormatException($"'{program}' option '--{full}' takes no argument");
        }

        options.Add(new ParsedOption(full, value));
        return i;
    }

    /// <summary>The long option <paramref name="name"/> names: an exact match, or the only one it is a prefix of (GNU getopt); <see langword="null"/> otherwise.</summary>
    public static string? LongOptionName(string name, IReadOnlyCollection<string> known)
    {
        if (name.Length == 0)
        {
            return null;
        }

        if (known.Contains(name, StringComparer.Ordinal))
        {
            return name;
        }

        var matches = known.Where(option => option.StartsWith(name, StringComparison.Ordinal)).Distinct(StringComparer.Ordinal).ToList();
        return matches.Count == 1 ? matches[0] : null;
    }
}
