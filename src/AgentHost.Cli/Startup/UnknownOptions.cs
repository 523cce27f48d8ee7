using System.CommandLine;
using System.CommandLine.Parsing;
using AgentHost.Hosting.Text;

namespace AgentHost.Cli.Startup;

/// <summary>
/// Finds words that look like options but name none: <c>agent run "x" --modle foo</c>. System.CommandLine binds a word
/// it does not know to the command's arguments (the prompt of <c>agent run</c> takes any number of words), or reports
/// it as unmatched when the command takes none; either way a typo must be a usage error, not part of a prompt.
/// </summary>
/// <remarks>
/// A word counts as an option when it starts with <c>-</c>, is not <c>-</c> itself (standard input), and comes before
/// <c>--</c>; everything after <c>--</c> is taken literally, which is how a prompt that starts with <c>-</c> is given.
/// Values of options (<c>--max-steps -1</c>) are bound to their option and never checked.
/// </remarks>
internal static class UnknownOptions
{
    /// <summary>One unknown option: the word, the command it was given to, and close option names.</summary>
    /// <param name="Word">The word as typed.</param>
    /// <param name="Command">The command path, e.g. <c>agent run</c>.</param>
    /// <param name="Suggestions">Option names within a few edits, closest first.</param>
    /// <param name="TakesArguments">Whether the command takes arguments (then <c>--</c> is the way to pass the word literally).</param>
    internal sealed record Finding(string Word, string Command, IReadOnlyList<string> Suggestions, bool TakesArguments)
    {
        /// <summary>The error line: <c>unknown option '--modle' for 'agent run'; did you mean '--model'?</c></summary>
        public string Message => Suggestions.Count == 0
            ? $"unknown option '{Word}' for '{Command}'."
            : $"unknown option '{Word}' for '{Command}'; did you mean {string.Join(" or ", Suggestions.Select(s => $"'{s}'"))}?";
    }

    /// <summary>Returns the unknown options of a parse, in command-line order.</summary>
    /// <param name="parseResult">The parse.</param>
    /// <returns>The findings; empty when every option-like word names an option.</returns>
    public static IReadOnlyList<Finding> Find(ParseResult parseResult)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        var tokens = parseResult.Tokens;
        var end = tokens.Count;
        for (var i = 0; i < tokens.Count; i++)
        {
            if (tokens[i].Type == TokenType.DoubleDash)
            {
                end = i;
                break;
            }
        }

        // The words bound to a command's arguments (not to an option's), by reference: the same text after '--' is literal.
        var bound = new HashSet<Token>(ReferenceEqualityComparer.Instance);
        for (SymbolResult? result = parseResult.CommandResult; result is not null; result = result.Parent)
        {
            if (result is CommandResult command)
            {
                foreach (var argument in command.Children.OfType<ArgumentResult>())
                {
                    bound.UnionWith(argument.Tokens);
                }
            }
        }

        var unmatched = new HashSet<string>(parseResult.UnmatchedTokens, StringComparer.Ordinal);
        var findings = new List<Finding>();
        var commandResult = parseResult.CommandResult;
        List<string>? names = null;
        for (var i = 0; i < end; i++)
        {
            var token = tokens[i];
            if (token.Type != TokenType.Argument || !LooksLikeOption(token.Value) || !(bound.Contains(token) || unmatched.Contains(token.Value)))
            {
                continue;
            }

            names ??= OptionNames(commandResult);
            var name = OptionPart(token.Value);
            var suggestions = CloseMatches.Find(name, names, maxDistance: 2, limit: 3)
                .Where(n => n.StartsWith("--", StringComparison.Ordinal) || name.Length <= 2)
                .ToList();
            findings.Add(new Finding(token.Value, CommandPath(commandResult), suggestions, commandResult.Command.Arguments.Count > 0));
        }

        return findings;
    }

    /// <summary>
    /// Whether a word is written like an option: <c>-x</c>, <c>--xyz</c>; not <c>-</c> (standard input) and not a negative
    /// number (<c>agent session settings set … max_steps -1</c>).
    /// </summary>
    /// <param name="word">The word.</param>
    /// <returns><see langword="true"/> for an option-like word.</returns>
    public static bool LooksLikeOption(string word) => word.Length > 1 && word[0] == '-' && !char.IsAsciiDigit(word[1]) && word[1] != '.';

    // '--model=gpt' is typed as one word: suggest for its name part.
    private static string OptionPart(string word) => word.IndexOfAny(['=', ':']) is > 0 and var at ? word[..at] : word;

    private static List<string> OptionNames(CommandResult commandResult)
    {
        var names = new List<string>();
        var own = true;
        for (var command = commandResult; command is not null; command = command.Parent as CommandResult)
        {
            foreach (var option in command.Command.Options.Where(o => !o.Hidden && (own || o.Recursive)))
            {
                names.Add(option.Name);
                names.AddRange(option.Aliases);
            }

            own = false;
        }

        return names;
    }

    private static string CommandPath(CommandResult commandResult)
    {
        var parts = new List<string>();
        for (var command = commandResult; command is not null; command = command.Parent as CommandResult)
        {
            parts.Add(command.Parent is null ? "agent" : command.Command.Name);
        }

        parts.Reverse();
        return string.Join(' ', parts);
    }
}
