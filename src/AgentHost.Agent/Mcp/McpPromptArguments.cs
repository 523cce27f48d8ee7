using System.Text;
using System.Text.RegularExpressions;
using AgentHost.Hosting;

namespace AgentHost.Agent.Mcp;

/// <summary>One prompt an MCP server offers (<c>prompts/list</c>): the chat's <c>/SERVER:PROMPT</c> and <c>agent run --prompt SERVER:PROMPT</c>.</summary>
/// <param name="Server">The server's name.</param>
/// <param name="Name">The prompt's name.</param>
/// <param name="Description">What it does, as the server says (may be empty).</param>
/// <param name="Arguments">Its arguments, in declared order (positional arguments fill them in this order).</param>
public sealed record McpPromptInfo(string Server, string Name, string? Description, IReadOnlyList<McpPromptArgument> Arguments)
{
    /// <summary><c>SERVER:PROMPT</c>.</summary>
    public string Command => $"{Server}:{Name}";

    /// <summary>The arguments for a usage line: <c>city [state]</c> (optional ones in brackets).</summary>
    public string ArgumentUsage => string.Join(' ', Arguments.Select(a => a.Required ? a.Name : $"[{a.Name}]"));
}

/// <summary>One declared argument of an MCP prompt.</summary>
/// <param name="Name">Its name.</param>
/// <param name="Description">What it is (may be empty).</param>
/// <param name="Required">Whether the prompt needs it.</param>
public sealed record McpPromptArgument(string Name, string? Description, bool Required);

/// <summary>Run a server's prompt as the turn (<see cref="Service.TurnRequest.McpPrompt"/>): the prompt's messages become the user message.</summary>
/// <param name="Server">The server's name.</param>
/// <param name="Name">The prompt's name.</param>
/// <param name="Arguments">The arguments as given: <c>NAME=VALUE</c> words, or values in the prompt's declared order (see <see cref="McpPromptArguments.Bind"/>).</param>
public sealed record McpPromptRequest(string Server, string Name, IReadOnlyList<string> Arguments)
{
    /// <summary>Parses <c>SERVER:PROMPT</c>.</summary>
    /// <param name="command"><c>SERVER:PROMPT</c>.</param>
    /// <param name="arguments">The arguments as given.</param>
    /// <returns>The request.</returns>
    /// <exception cref="AgentHostException">Not of the form <c>SERVER:PROMPT</c>.</exception>
    public static McpPromptRequest Parse(string command, IReadOnlyList<string> arguments)
    {
        ArgumentNullException.ThrowIfNull(command);
        var colon = command.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 && colon < command.Length - 1
            ? new McpPromptRequest(command[..colon], command[(colon + 1)..], arguments)
            : throw new AgentHostException(ErrorKind.Usage, $"'{command}' is not SERVER:PROMPT (for example everything:simple-prompt); 'agent mcp list' shows the servers.");
    }
}

/// <summary>
/// An MCP prompt's arguments as a person types them: <c>NAME=VALUE</c> words for any argument, and plain words for
/// the arguments not named, in the prompt's declared order. A word <c>NAME=…</c> whose NAME is not an argument is an
/// error (a typo must not become a value); a value that contains <c>=</c> is given by name (<c>query=a=b</c>).
/// </summary>
public static partial class McpPromptArguments
{
    /// <summary>Splits a line into words: whitespace separates, <c>"…"</c> and <c>'…'</c> keep spaces (the quotes are dropped).</summary>
    /// <param name="text">The text after the command.</param>
    /// <returns>The words.</returns>
    public static IReadOnlyList<string> Split(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var words = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        char? quote = null;
        foreach (var c in text)
        {
            if (quote is { } open)
            {
                if (c == open)
                {
                    quote = null;
                }
                else
                {
                    word.Append(c);
                }
            }
            else if (c is '"' or '\'')
            {
                quote = c;
                inWord = true;
            }
            else if (char.IsWhiteSpace(c))
            {
                if (inWord)
                {
                    words.Add(word.ToString());
                    word.Clear();
                    inWord = false;
                }
            }
            else
            {
                word.Append(c);
                inWord = true;
            }
        }

        if (inWord)
        {
            words.Add(word.ToString());
        }

        return words;
    }

    /// <summary>Binds the words to the prompt's arguments.</summary>
    /// <param name="prompt">The prompt.</param>
    /// <param name="words">The arguments as given.</param>
    /// <returns>Argument name to value.</returns>
    /// <exception cref="AgentHostException">An unknown or repeated name, too many values, or a required argument missing; the message names it and the prompt's arguments.</exception>
    public static IReadOnlyDictionary<string, string> Bind(McpPromptInfo prompt, IReadOnlyList<string> words)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(words);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var positional = new List<string>();
        foreach (var word in words)
        {
            if (NamedWord().Match(word) is { Success: true } match)
            {
                var name = match.Groups["name"].Value;
                if (prompt.Arguments.All(a => a.Name != name))
                {
                    throw Fail(prompt, $"it has no argument '{name}'");
                }

                if (!values.TryAdd(name, match.Groups["value"].Value))
                {
                    throw Fail(prompt, $"the argument '{name}' is given twice");
                }
            }
            else
            {
                positional.Add(word);
            }
        }

        var open = prompt.Arguments.Where(a => !values.ContainsKey(a.Name)).ToList();
        if (positional.Count > open.Count)
        {
            throw Fail(prompt, prompt.Arguments.Count == 0
                ? $"it takes no arguments, but was given '{string.Join(' ', positional)}'"
                : $"'{positional[open.Count]}' is one value too many");
        }

        foreach (var (argument, value) in open.Zip(positional))
        {
            values[argument.Name] = value;
        }

        if (prompt.Arguments.FirstOrDefault(a => a.Required && !values.ContainsKey(a.Name)) is { } missing)
        {
            throw Fail(prompt, $"the required argument '{missing.Name}'{(string.IsNullOrWhiteSpace(missing.Description) ? string.Empty : $" ({missing.Description.Trim().TrimEnd('.')})")} is missing");
        }

        return values;
    }

    /// <summary>The prompt's arguments for a message: <c>city (required), state</c>.</summary>
    /// <param name="prompt">The prompt.</param>
    /// <returns>The list, or "no arguments".</returns>
    public static string Describe(McpPromptInfo prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        return prompt.Arguments.Count == 0 ? "no arguments" : string.Join(", ", prompt.Arguments.Select(a => a.Required ? $"{a.Name} (required)" : a.Name));
    }

    private static AgentHostException Fail(McpPromptInfo prompt, string problem) =>
        new(ErrorKind.Usage, $"{prompt.Command}: {problem}. Its arguments: {Describe(prompt)}; give them as NAME=VALUE or in this order. Nothing was sent.");

    [GeneratedRegex(@"^(?<name>[A-Za-z_][A-Za-z0-9_.-]*)=(?<value>.*)$", RegexOptions.Singleline)]
    private static partial Regex NamedWord();
}
