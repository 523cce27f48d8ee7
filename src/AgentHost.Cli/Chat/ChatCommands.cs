using AgentHost.Agent.Mcp;
using AgentHost.Cli.Commands;
using AgentHost.Cli.Rendering;
using AgentHost.Cli.Terminal;
using AgentHost.Hosting;

namespace AgentHost.Cli.Chat;

/// <summary>What a slash command asks of the chat: to exit, or to send a prompt (a user-defined command; <c>/skill</c> with the skills to activate; an MCP server's prompt), or to run a workflow or a compare.</summary>
internal sealed record SlashOutcome(bool Exit = false, string? Prompt = null, IReadOnlyList<string>? Skills = null, McpPromptRequest? McpPrompt = null, ChatWorkflow? Workflow = null, ChatCompare? Compare = null)
{
    public static SlashOutcome Done { get; } = new();
}

/// <summary>One slash command: name, usage, help line, and what it does with its arguments.</summary>
internal sealed record SlashCommand(string Name, string Usage, string Help, Func<string, CancellationToken, Task<SlashOutcome>> Run);

/// <summary>The chat's slash commands: the built-in table, then the user-defined ones (a built-in name wins). Help and completion come from here.</summary>
internal sealed partial class ChatCommands
{
    private readonly Dictionary<string, SlashCommand> _commands = new(StringComparer.Ordinal);
    private readonly ChatHost _host;

    private ChatCommands(ChatHost host) => _host = host;

    /// <summary>Every command name, built-in first, for completion.</summary>
    public IReadOnlyList<string> Names => [.. _commands.Keys];

    public IReadOnlyCollection<SlashCommand> All => _commands.Values;

    public static ChatCommands Create(ChatHost host, IReadOnlyList<UserCommand> user)
    {
        var commands = new ChatCommands(host);
        commands.AddBuiltIns();
        foreach (var command in user.Where(c => !commands._commands.ContainsKey(c.Name)))
        {
            commands.Add(new SlashCommand(command.Name, command.Usage, command.Description, (args, _) => Task.FromResult(new SlashOutcome(Prompt: command.Expand(args)))));
        }

        _ = commands.McpPrompts(); // listed in the background, for Tab and /help

        return commands;
    }

    /// <summary>Runs the command a line names.</summary>
    public async Task<SlashOutcome> RunAsync(string line, CancellationToken cancellationToken)
    {
        var space = line.IndexOfAny([' ', '\t', '\n']);
        var name = (space < 0 ? line : line[..space])[1..];
        var args = space < 0 ? string.Empty : line[(space + 1)..].Trim();
        if (!_commands.TryGetValue(name, out var command) && name.Contains(':', StringComparison.Ordinal))
        {
            return await RunMcpPromptAsync(name, args, cancellationToken).ConfigureAwait(false);
        }

        if (command is null)
        {
            var near = Near(name);
            _host.Output.WriteInfo($"unknown command /{name}.{(near.Count > 0 ? " Did you mean " + string.Join(", ", near.Select(n => "/" + n)) + "?" : string.Empty)} /help lists the commands.");
            return SlashOutcome.Done;
        }

        try
        {
            return await command.Run(args, cancellationToken).ConfigureAwait(false);
        }
        catch (AgentHostException ex)
        {
            _host.Output.WriteError(ex.Message);
            return SlashOutcome.Done;
        }
    }

    /// <summary>
    /// The commands close to a mistyped <paramref name="name"/>: those it starts, and those within two edits of it
    /// (a letter missing, extra, wrong or two swapped: <c>/hlep</c>, <c>/modle</c>), only the closest of them, at most five.
    /// </summary>
    internal IReadOnlyList<string> Near(string name)
    {
        var close = _commands.Keys
            .Select(k => (Name: k, Distance: name.Length > 0 && k.StartsWith(name, StringComparison.Ordinal) ? 0 : Distance(name, k)))
            .Where(c => c.Distance <= Math.Min(2, Math.Max(1, name.Length / 2)))
            .ToList();
        // Only the closest: /hlep is /help, not also /lsp two edits away.
        var best = close.Count == 0 ? 0 : close.Min(c => c.Distance);
        return [.. close.Where(c => c.Distance == best).OrderBy(c => c.Name, StringComparer.Ordinal).Take(5).Select(c => c.Name)];
    }

    /// <summary>The edit distance (insertions, deletions, substitutions, adjacent swaps) between two words.</summary>
    internal static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1][];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i] = new int[b.Length + 1];
            d[i][0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0][j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i][j] = Math.Min(Math.Min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i][j] = Math.Min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }

        return d[a.Length][b.Length];
    }

    private void Add(SlashCommand command) => _commands[command.Name] = command;

    private void AddBuiltIns()
    {
        var console = _host.Output;
        Add(new SlashCommand("help", "/help", "This list.", async (_, ct) =>
        {
            var prompts = await McpPromptCommandsAsync(ct).ConfigureAwait(false);
            var width = _commands.Values.Select(c => c.Usage.Length).Concat(prompts.Select(p => p.Usage.Length)).Max();
            // Laid out for the terminal's width now: a help text that does not fit continues under itself (or, when the
            // usage column takes half the width, under the usage), broken at spaces.
            var columns = console.TerminalWidth - 1;
            var hang = new string(' ', width + 4 <= columns / 2 ? width + 4 : 6);
            foreach (var command in _commands.Values.Where(c => c.Name != "q")) // /quit's line names it
            {
                console.WriteInfo(WordWrap.Wrap($"  {command.Usage.PadRight(width)}  {command.Help}", columns, hang));
            }

            if (prompts.Count > 0)
            {
                console.WriteInfo(WordWrap.Wrap("MCP prompts (arguments as NAME=VALUE or in this order; the prompt is sent as your message):", columns, "  "));
                foreach (var (usage, help) in prompts)
                {
                    console.WriteInfo(WordWrap.Wrap($"  {usage.PadRight(width)}  {help}", columns, hang));
                }
            }

            console.WriteInfo(WordWrap.Wrap("Keys: Enter sends (while a turn runs, queues); Shift+Enter, Alt+Enter or a trailing \\ adds a line; Up/Down history; Tab completes /commands, @paths and @SERVER: resources; Shift+Tab cycles the mode; Ctrl+C cancels the turn (twice exits); Ctrl+D exits.", columns, "  "));
            return SlashOutcome.Done;
        }));
        Add(new SlashCommand("exit", "/exit", "Leave the chat (the session is saved; agent --continue resumes it).", (_, _) => Task.FromResult(new SlashOutcome(Exit: true))));
        Add(new SlashCommand("quit", "/quit, /q", "Leave the chat, as /exit does.", (_, _) => Task.FromResult(new SlashOutcome(Exit: true))));
        Add(new SlashCommand("q", "/q", "Leave the chat, as /exit does.", (_, _) => Task.FromResult(new SlashOutcome(Exit: true))));
        Add(new SlashCommand("clear", "/clear", "Clear the screen (the conversation goes on; /new starts another).", (_, _) =>
        {
            console.Write(TerminalControl.ClearScreen);
            return Task.FromResult(SlashOutcome.Done);
        }));
        AddSessionCommands();
        AddLoginCommands();
        AddToolCommands();
        AddLspCommand();
        AddProjectCommands();
        AddWorkflowCommand();
        AddCompareCommand();
        Add(ExpandCommand.Create(_host));
    }
}
