using AgentHost.Agent.Models;
using AgentHost.Cli.Rendering;
using AgentHost.Hosting;
using AgentHost.Permissions;
using AgentHost.Sdk.Capabilities;

namespace AgentHost.Cli.Chat;

/// <summary>What a slash command asks of the chat: to exit, or to send a prompt (a user-defined command).</summary>
internal sealed record SlashOutcome(bool Exit = false, string? Prompt = null)
{
    public static SlashOutcome Done { get; } = new();
}

/// <summary>One slash command: name, usage, help line, and what it does with its arguments.</summary>
internal sealed record SlashCommand(string Name, string Usage, string Help, Func<string, CancellationToken, Task<SlashOutcome>> Run);

/// <summary>The chat's slash commands: the built-in table, then the user-defined ones (a built-in name wins). Help and completion come from here.</summary>
internal sealed class ChatCommands
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
            commands.Add(new SlashCommand(command.Name, $"/{command.Name} [arguments]", command.Description, (args, _) => Task.FromResult(new SlashOutcome(Prompt: command.Expand(args)))));
        }

        return commands;
    }

    /// <summary>Runs the command a line names.</summary>
    public async Task<SlashOutcome> RunAsync(string line, CancellationToken cancellationToken)
    {
        var space = line.IndexOfAny([' ', '\t', '\n']);
        var name = (space < 0 ? line : line[..space])[1..];
        var args = space < 0 ? string.Empty : line[(space + 1)..].Trim();
        if (!_commands.TryGetValue(name, out var command))
        {
            var near = _commands.Keys.Where(k => k.StartsWith(name, StringComparison.Ordinal)).ToList();
            _host.Context.Console.WriteInfo($"unknown command /{name}.{(near.Count > 0 ? " Did you mean " + string.Join(", ", near.Select(n => "/" + n)) + "?" : string.Empty)} /help lists the commands.");
            return SlashOutcome.Done;
        }

        try
        {
            return await command.Run(args, cancellationToken).ConfigureAwait(false);
        }
        catch (AgentHostException ex)
        {
            _host.Context.Console.WriteError(ex.Message);
            return SlashOutcome.Done;
        }
    }

    private void Add(SlashCommand command) => _commands[command.Name] = command;

    private void AddBuiltIns()
    {
        var console = _host.Context.Console;
        Add(new SlashCommand("help", "/help", "This list.", (_, _) =>
        {
            var width = _commands.Values.Max(c => c.Usage.Length);
            foreach (var command in _commands.Values)
            {
                console.WriteInfo($"  {command.Usage.PadRight(width)}  {command.Help}");
            }

            console.WriteInfo("Keys: Enter sends; a trailing \\ or Alt+Enter adds a line; Up/Down history; Tab completes /commands; Shift+Tab cycles the mode; Ctrl+C cancels the turn (twice exits); Ctrl+D exits.");
            return Task.FromResult(SlashOutcome.Done);
        }));
        Add(new SlashCommand("exit", "/exit", "Leave the chat (the session is saved; agent --continue resumes it).", (_, _) => Task.FromResult(new SlashOutcome(Exit: true))));
        Add(new SlashCommand("clear", "/clear", "Clear the screen (the conversation goes on; /new starts another).", (_, _) =>
        {
            console.Write("\u001b[2J\u001b[3J\u001b[H");
            return Task.FromResult(SlashOutcome.Done);
        }));
        Add(new SlashCommand("new", "/new", "Start a new session (this one stays saved).", async (_, ct) =>
        {
            var state = _host.State;
            var previous = state.Session;
            await previous.DisposeAsync().ConfigureAwait(false);
            state.Session = await state.Service.CreateAsync(state.Options with { Model = state.ModelName, PermissionMode = state.Mode }, ct).ConfigureAwait(false);
            state.Usage.Reset();
            console.WriteInfo(previous.Id is { } id ? $"new session (the last one: {id})." : "new session.");
            return SlashOutcome.Done;
        }));
        Add(new SlashCommand("model", "/model [provider/model]", "Show the model and the ones configured, or switch to another from the next turn on.", async (args, ct) =>
        {
            var state = _host.State;
            if (args.Length == 0)
            {
                console.WriteInfo($"model: {state.ModelName ?? "(none chosen yet: the first turn picks one)"}");
                var catalog = ModelCatalog.Build(state.Configuration);
                var models = catalog.Models.Where(m => state.Runtime.Registry.OfKind(CapabilityKind.ChatProvider).Any(p => p.Name == m.Provider || p.Name == m.ProviderType)).Take(40).ToList();
                if (models.Count > 0)
                {
                    console.WriteInfo("models of the loaded providers:");
                    foreach (var model in models)
                    {
                        console.WriteInfo($"  {model.Reference}");
                    }
                }

                console.WriteInfo("switch with /model provider/model ('agent models' lists every usable one).");
                return SlashOutcome.Done;
            }

            await state.Session.SetModelAsync(args, ct).ConfigureAwait(false);
            state.Options = state.Options with { Model = args };
            console.WriteInfo($"model: {args} (from the next turn on)");
            return SlashOutcome.Done;
        }));
        Add(new SlashCommand("mode", "/mode [mode]", $"Show or switch the permission mode ({string.Join(", ", PermissionModes.Names)}); Shift+Tab cycles.", async (args, ct) =>
        {
            if (args.Length == 0)
            {
                console.WriteInfo($"permission mode: {_host.State.ModeName} (one of {string.Join(", ", PermissionModes.Names)})");
                return SlashOutcome.Done;
            }

            if (!PermissionModes.TryParse(args, out var mode))
            {
                throw new AgentHostException(ErrorKind.Usage, $"/mode {args}: use one of {string.Join(", ", PermissionModes.Names)}.");
            }

            await _host.SwitchModeAsync(mode, ct).ConfigureAwait(false);
            return SlashOutcome.Done;
        }));
        Add(new SlashCommand("sessions", "/sessions", "The recent sessions of this project (resume one with /resume ID).", async (_, ct) =>
        {
            var state = _host.State;
            var sessions = await state.Store.ListSessionsAsync(state.Options.WorkspaceRoot, 20, ct).ConfigureAwait(false);
            if (sessions.Count == 0)
            {
                console.WriteInfo("no sessions yet.");
            }

            foreach (var session in sessions)
            {
                var current = session.Id == state.Session.Id ? " (this one)" : string.Empty;
                console.WriteInfo($"  {session.Id}  {session.UpdatedAt.ToLocalTime():yyyy-MM-dd HH:mm}  {(session.Title.Length > 0 ? session.Title : "(untitled)")}{current}");
            }

            return SlashOutcome.Done;
        }));
        Add(new SlashCommand("resume", "/resume ID", "Continue another session (id or unique prefix).", async (args, ct) =>
        {
            if (args.Length == 0)
            {
                throw new AgentHostException(ErrorKind.Usage, "/resume ID: name the session (/sessions lists them).");
            }

            var state = _host.State;
            var next = await state.Service.OpenAsync(args, state.Options with { Model = null }, ct).ConfigureAwait(false);
            await state.Session.DisposeAsync().ConfigureAwait(false);
            state.Session = next;
            state.Usage.Reset();
            var history = await next.LoadHistoryAsync(ct).ConfigureAwait(false);
            console.WriteInfo($"resumed session {next.Id} ({history.Count} messages).");
            foreach (var message in history.TakeLast(4))
            {
                var text = message.Text.ReplaceLineEndings(" ").Trim();
                if (text.Length > 0)
                {
                    console.WriteInfo($"  {message.Role}: {(text.Length > 160 ? text[..160] + "…" : text)}");
                }
            }

            return SlashOutcome.Done;
        }));
        Add(new SlashCommand("diff", "/diff [--stat]", "What this session's file tools changed, as a diff (shell commands are not tracked).", async (args, ct) =>
        {
            var changes = await _host.State.Session.GetFileChangesAsync(ct).ConfigureAwait(false);
            if (changes.Total.Count == 0)
            {
                console.WriteInfo("No file changes in this session yet (diff covers the file tools; shell commands are not tracked).");
            }

            FileChangeReport.WriteFiles(console, changes.Total, stat: args.Split(' ').Contains("--stat"));
            return SlashOutcome.Done;
        }));
        Add(new SlashCommand("undo", "/undo [--force]", "Revert the file changes of the last turn that changed files; again to go one more turn back.", async (args, ct) =>
        {
            var result = await _host.State.Session.UndoLastTurnAsync(force: args.Split(' ').Contains("--force"), ct).ConfigureAwait(false);
            FileChangeReport.WriteUndo(console, result, "/undo --force", _host.State.Session.Id ?? "(new)");
            return SlashOutcome.Done;
        }));
        Add(ExpandCommand.Create(_host));
        Add(new SlashCommand("cost", "/cost", "Tokens and cost of this session in this chat.", (_, _) =>
        {
            console.WriteInfo(_host.State.StatusLine());
            return Task.FromResult(SlashOutcome.Done);
        }));
        Add(new SlashCommand("tools", "/tools", "The tools the model can call.", (_, _) =>
        {
            foreach (var tool in _host.State.Runtime.Registry.OfKind(CapabilityKind.Tool))
            {
                var description = ((ToolCapability)tool.Capability).Function.Description.ReplaceLineEndings(" ");
                console.WriteInfo($"  {tool.Name,-16} {tool.PluginId,-10} {(description.Length > 80 ? description[..80] + "…" : description)}");
            }

            return Task.FromResult(SlashOutcome.Done);
        }));
    }
}
