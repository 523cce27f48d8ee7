using AgentHost.Agent.Models;
using AgentHost.Agent.Runs;
using AgentHost.Cli.Commands.Session;
using AgentHost.Cli.Interaction;
using AgentHost.Cli.Rendering;
using AgentHost.Hosting;
using AgentHost.Permissions;
using AgentHost.Sdk.Capabilities;

namespace AgentHost.Cli.Chat;

/// <content>The session commands: new, model, mode, sessions, resume, fork, compact, context, cost, diff, undo, export.</content>
internal sealed partial class ChatCommands
{
    private void AddSessionCommands()
    {
        var console = _host.Output;
        Add(new SlashCommand("new", "/new", "Start a new session (this one stays saved).", async (_, ct) =>
        {
            var state = _host.State;
            var previous = state.Session;
            await previous.DisposeAsync().ConfigureAwait(false);
            state.Session = await state.Service.CreateAsync(state.Options with { Model = state.ModelName, PermissionMode = state.Mode, Name = null }, ct).ConfigureAwait(false);
            state.Usage.Reset();
            console.WriteInfo(previous.Id is { } id ? $"new session (the last one: {id})." : "new session.");
            return SlashOutcome.Done;
        }));
        Add(new SlashCommand("model", "/model [provider/model]", "Show the model and the usable ones, or switch to another from the next turn on.", async (args, ct) =>
        {
            var state = _host.State;
            if (args.Length == 0)
            {
                await ListModelsAsync(ct).ConfigureAwait(false);
                return SlashOutcome.Done;
            }

            await state.Session.SetModelAsync(args, ct).ConfigureAwait(false);
            state.Options = state.Options with { Model = args };
            console.WriteInfo($"model: {args} (from the next turn on)");
            return SlashOutcome.Done;
        }));
        Add(new SlashCommand("models", "/models", "The model and the usable ones (configured providers, keys in the environment), as /model shows them.", async (_, ct) =>
        {
            await ListModelsAsync(ct).ConfigureAwait(false);
            return SlashOutcome.Done;
        }));
        Add(new SlashCommand("status", "/status", "The session, model, permission mode, workspace, context and tokens so far.", (_, _) =>
        {
            var state = _host.State;
            console.WriteInfo($"  session    {state.Session.Id ?? "(new: saved with its first turn)"}");
            console.WriteInfo($"  model      {state.ModelName ?? "(none chosen yet: the first turn picks one)"}");
            console.WriteInfo($"  mode       {state.ModeName}");
            console.WriteInfo($"  workspace  {state.Configuration.ProjectRoot}");
            console.WriteInfo(state.StatusLine(console.TerminalWidth - 1));
            return Task.FromResult(SlashOutcome.Done);
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
        Add(new SlashCommand("fork", "/fork [message-id]", "Copy this session (whole, or up to a message of 'agent session history') into a new one and continue there.", async (args, ct) =>
        {
            var state = _host.State;
            if (state.Session.Id is not { } id)
            {
                throw new AgentHostException(ErrorKind.NotFound, "/fork: this session has no conversation yet; there is nothing to fork.");
            }

            var fork = await state.Service.ForkAsync(id, state.Options with { Model = state.ModelName, PermissionMode = state.Mode, Name = null }, args.Length > 0 ? args : null, ct).ConfigureAwait(false);
            await state.Session.DisposeAsync().ConfigureAwait(false);
            state.Session = fork;
            state.Usage.Reset();
            console.WriteInfo($"forked session {id} into {fork.Id}{(args.Length > 0 ? $" (up to message {args})" : string.Empty)}; continuing in {fork.Id}. The original stays as it was: /resume {id}");
            return SlashOutcome.Done;
        }));
        Add(new SlashCommand("compact", "/compact [focus]", "Summarise the conversation now: the next turns send the summary instead of the older messages (they stay stored).", async (args, ct) =>
        {
            var state = _host.State;
            console.WriteInfo("(summarising the conversation…)");
            var compacted = await state.Session.CompactAsync(args.Length > 0 ? args : null, ct).ConfigureAwait(false);
            await state.Runtime.Events.DrainAsync(CancellationToken.None).ConfigureAwait(false); // the renderer draws the compaction line
            console.WriteInfo($"compacted: ≈{ChatUsage.Tokens(compacted.TokensBefore)} → ≈{ChatUsage.Tokens(compacted.TokensAfter)} tokens; the older messages stay in the session (agent session history {compacted.SessionId}).");
            return SlashOutcome.Done;
        }));
        Add(new SlashCommand("context", "/context", "What the next turn puts in the model's window, part by part, with token estimates.", async (_, ct) =>
        {
            var state = _host.State;
            if (await state.Session.GetContextAsync(ct).ConfigureAwait(false) is not { } report)
            {
                console.WriteInfo("nothing is in the window yet: the first turn in this chat chooses the model and builds the prompt. /memory shows the memory files, /skills the skills, /tools the tools.");
                return SlashOutcome.Done;
            }

            var width = report.Parts.Max(p => p.Name.Length);
            console.WriteInfo($"context of the next turn · {report.Model} · window {ChatUsage.Tokens(report.ContextWindow)}{(report.WindowKnown ? string.Empty : " (not in the model catalog: the default)")}");
            foreach (var part in report.Parts)
            {
                console.WriteInfo($"  {part.Name.PadRight(width)}  {ChatUsage.Tokens(part.Tokens),7}");
            }

            console.WriteInfo($"  {"total".PadRight(width)}  {ChatUsage.Tokens(report.TotalTokens),7}  ({100.0 * report.TotalTokens / report.ContextWindow:0.#}% of the window; estimates at {report.CharactersPerToken} characters a token)");
            if (state.Usage.ContextTokens is { } reported)
            {
                console.WriteInfo($"  the last request: {ChatUsage.Tokens(reported)} tokens, as the provider counted them");
            }

            return SlashOutcome.Done;
        }));
        Add(new SlashCommand("timeout", "/timeout [DURATION|off]", "Show or set how long each turn may take (90s, 10m, 1h30m); a turn over it stops, cancelling what runs.", (args, _) =>
        {
            var state = _host.State;
            if (args.Length > 0)
            {
                var timeout = args.Equals("off", StringComparison.OrdinalIgnoreCase) ? null : TurnLimitOptions.Duration("/timeout", args);
                state.Limits = state.Limits with { Timeout = timeout };
            }

            console.WriteInfo(state.Limits.Timeout is { } shown
                ? $"timeout: from the next turn on, each turn stops after {AgentHost.Hosting.Text.DurationText.Format(shown)} (/timeout off removes it)"
                : "timeout: none (/timeout 10m sets one)");
            return Task.FromResult(SlashOutcome.Done);
        }));
        Add(new SlashCommand("approve", "/approve [DURATION|off]", "Approve what would ask for a while (10m, 1h); protected paths, unreadable commands, paths outside the project, destructive calls and ask rules still ask.", (args, _) =>
        {
            var session = _host.State.Session;
            if (args.Length > 0)
            {
                var duration = args.Equals("off", StringComparison.OrdinalIgnoreCase) ? TimeSpan.Zero : TurnLimitOptions.Duration("/approve", args) ?? TimeSpan.Zero;
                session.ApproveFor(duration, ConsolePermissionPrompter.Name);
            }

            console.WriteInfo(session.ApprovedUntil is { } until
                ? $"approving what would ask until {until.ToLocalTime().ToString("HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture)} ({AgentHost.Hosting.Text.DurationText.Format(until - DateTimeOffset.UtcNow)} left; /approve off ends it). Still asked: protected paths, unreadable commands, paths outside the project, destructive calls, ask rules."
                : "no approval window (/approve 10m approves what would ask for ten minutes).");
            return Task.FromResult(SlashOutcome.Done);
        }));
        Add(new SlashCommand("cost", "/cost", "Tokens and cost of this session in this chat.", (_, _) =>
        {
            console.WriteInfo(_host.State.StatusLine(console.TerminalWidth - 1));
            return Task.FromResult(SlashOutcome.Done);
        }));
        Add(new SlashCommand("diff", "/diff [--stat]", "What this session's file tools changed, as a diff (shell commands are not tracked).", async (args, ct) =>
        {
            var changes = await _host.State.Session.GetFileChangesAsync(ct).ConfigureAwait(false);
            if (changes.Total.Count == 0)
            {
                console.WriteInfo("No file changes in this session yet (diff covers the file tools; shell commands are not tracked).");
            }

            FileChangeReport.WriteFiles(console, changes.Total, stat: args.Split(' ').Contains("--stat"), colour: _host.Colour);
            return SlashOutcome.Done;
        }));
        Add(new SlashCommand("undo", "/undo [--force]", "Revert the file changes of the last turn that changed files; again to go one more turn back.", async (args, ct) =>
        {
            var result = await _host.State.Session.UndoLastTurnAsync(force: args.Split(' ').Contains("--force"), ct).ConfigureAwait(false);
            FileChangeReport.WriteUndo(console, result, "/undo --force", _host.State.Session.Id ?? "(new)");
            return SlashOutcome.Done;
        }));
        Add(new SlashCommand("export", "/export [md|jsonl] [file]", "Write this session to a file (Markdown transcript, or JSON Lines that 'agent session import' reads).", async (args, ct) =>
        {
            var state = _host.State;
            if (state.Session.Id is not { } id)
            {
                throw new AgentHostException(ErrorKind.NotFound, "/export: this session has no conversation yet; there is nothing to export.");
            }

            var words = args.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
            var markdown = true;
            if (words.Count > 0 && words[0] is "md" or "markdown" or "jsonl")
            {
                markdown = words[0] != "jsonl";
                words.RemoveAt(0);
            }

            if (words.Count > 1)
            {
                throw new AgentHostException(ErrorKind.Usage, "/export [md|jsonl] [file]: one file name at most.");
            }

            var file = words.Count == 1 ? words[0] : $"session-{id}.{(markdown ? "md" : "jsonl")}";
            var path = await SessionExportCommand.ExportToFileAsync(state.Store, id, markdown, Path.GetFullPath(file, state.Options.WorkspaceRoot), ct).ConfigureAwait(false);
            console.WriteInfo($"exported session {id} to {path}");
            return SlashOutcome.Done;
        }));
    }

    /// <summary>
    /// The model and the usable ones: the configured providers' and those of services whose key is in the environment
    /// (<c>agent models</c> without probing local servers), the current one marked; at most 40.
    /// </summary>
    private async Task ListModelsAsync(CancellationToken cancellationToken)
    {
        var state = _host.State;
        var console = _host.Output;
        console.WriteInfo($"model: {state.ModelName ?? "(none chosen yet: the first turn picks one)"}");
        var available = await AvailableModels.GatherAsync(state.Configuration, state.Runtime, _host.Context.Environment, DiscoveryScope.None, cancellationToken).ConfigureAwait(false);
        var models = available.Catalog.Models;
        if (models.Count == 0)
        {
            console.WriteInfo("no usable models in the catalog: export a service's key (OPENAI_API_KEY, ANTHROPIC_API_KEY, …) or configure a provider ('agent models' also tries local servers).");
        }
        else
        {
            console.WriteInfo($"usable models ({models.Count}{(models.Count > 40 ? ", the first 40" : string.Empty)}):");
            foreach (var model in models.Take(40))
            {
                console.WriteInfo($"  {(string.Equals(model.Reference, state.ModelName, StringComparison.Ordinal) ? "*" : " ")} {model.Reference}");
            }
        }

        console.WriteInfo("switch with /model provider/model ('agent models' lists every usable one, local servers included).");
    }
}
