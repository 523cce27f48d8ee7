using System.CommandLine;
using AgentHost.Hosting.Text;

namespace AgentHost.Cli.Startup;

/// <summary>
/// A mistyped subcommand (<c>agent sesion list</c>, <c>agent session lsit</c>): System.CommandLine reports "Required
/// command was not provided" and every following word as unrecognized; we say which word is not a command and the
/// closest ones.
/// </summary>
internal static class UnknownCommands
{
    /// <summary>The mistyped subcommand.</summary>
    /// <param name="Word">The word as typed.</param>
    /// <param name="Command">The command path it was given to, e.g. <c>agent session</c>.</param>
    /// <param name="Suggestions">Subcommand names within a few edits, closest first.</param>
    internal sealed record Finding(string Word, string Command, IReadOnlyList<string> Suggestions)
    {
        /// <summary>The error line: <c>unknown command 'sesion' for 'agent'; did you mean 'session'?</c></summary>
        public string Message => Suggestions.Count == 0
            ? $"unknown command '{Word}' for '{Command}'. Commands: {string.Join(", ", Names)}."
            : $"unknown command '{Word}' for '{Command}'; did you mean {string.Join(" or ", Suggestions.Select(s => $"'{s}'"))}?";

        /// <summary>Every subcommand name of the command, for the message when nothing is close.</summary>
        public IReadOnlyList<string> Names { get; init; } = [];
    }

    /// <summary>The first word given where a command of a command group was expected, when it names none.</summary>
    /// <param name="parseResult">The parse.</param>
    /// <returns>The finding, or <see langword="null"/>.</returns>
    public static Finding? Find(ParseResult parseResult)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        var command = parseResult.CommandResult.Command;
        // The root has an action (it opens the chat) but takes no words: a word there is a mistyped command too.
        if (command.Subcommands.Count == 0 || command.Arguments.Count > 0 || (command.Action is not null && command is not RootCommand)
            || parseResult.UnmatchedTokens.Count == 0 || parseResult.UnmatchedTokens[0] is not { } word || UnknownOptions.LooksLikeOption(word))
        {
            return null;
        }

        var names = command.Subcommands.Where(c => !c.Hidden).SelectMany(c => c.Aliases.Prepend(c.Name)).ToList();
        var path = string.Join(' ', Path(parseResult));
        return new Finding(word, path, CloseMatches.Find(word, names, maxDistance: 2, limit: 3).ToList())
        {
            Names = [.. command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name)],
        };
    }

    private static List<string> Path(ParseResult parseResult)
    {
        var parts = new List<string>();
        for (var result = parseResult.CommandResult; result is not null; result = result.Parent as System.CommandLine.Parsing.CommandResult)
        {
            parts.Add(result.Parent is null ? "agent" : result.Command.Name);
        }

        parts.Reverse();
        return parts;
    }
}
