using System.CommandLine;
using AgentHost.Agent.Runs;
using AgentHost.Agent.Service;
using AgentHost.Cli.Commands;
using AgentHost.Cli.Interaction;
using AgentHost.Cli.Rendering;
using AgentHost.Cli.Terminal;
using AgentHost.Cli;
using AgentHost.Hosting;
using AgentHost.Hosting.Configuration;
using AgentHost.Hosting.Events;
using AgentHost.Hosting.Plugins;
using AgentHost.Permissions;
using AgentHost.Sdk.Events;
using Microsoft.Extensions.Logging;

namespace AgentHost.Cli.Chat;

/// <summary>
/// An interactive session at a terminal: a thin client of the session service. It composes the plugin runtime, the
/// permission broker and the service as <c>agent run</c> does, then reads prompts with the line editor and sends each
/// as a turn (<see cref="AgentSession.SendAsync"/>), rendering the events as <c>agent run</c>'s text output does.
/// </summary>
internal sealed partial class ChatHost(CliContext context, SessionChoiceOptions options, TurnLimitOptions limitOptions)
{
    /// <summary>How many rows of the answer's unfinished block are shown while it streams (the last ones).</summary>
    private const int AnswerPreviewRows = 12;

    private ChatState? _state;
    private ChatEditor? _editor;
    private ChatConsole? _console;
    private IReadOnlyList<StreamPreview> _previews = [];
    private bool _hungUp;
    private ChatCommands? _commands;
    private Action? _cancelWork;

    /// <summary>The chat's console: writes go through the live area at the bottom of the screen once it is set up.</summary>
    private IConsoleInteraction Console => _console ?? context.Console;

    public async Task<int> RunAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        if (!Console.IsInteractive)
        {
            throw new AgentHostException(ErrorKind.Usage, "no command given, and this is not a terminal (input or output is redirected, or CI is set): the chat needs a person at a terminal. For a headless run use: agent run \"…\" (see 'agent --help').");
        }

        var limits = limitOptions.Read(parseResult); // a bad value names its flag before anything opens
        _console = new ChatConsole(context.Console, ChatTerminal.CreateLiveArea(context.Console, context.Environment.Variables));
        var verbose = parseResult.GetValue(context.GlobalOptions.Verbose);
        var plain = TerminalStyle.IsPlain(context.Environment.Variables);
        if (_console.Live is { } live)
        {
            // Streamed text shown as it comes, above the prompt: the answer's unfinished block, the reasoning's last rows.
            _previews = [
                new StreamPreview(live, AnswerPreviewRows),
                new StreamPreview(live, ReasoningWriter.ShownRows, ReasoningWriter.Indent(plain), plain ? null : TextStyle.DimItalic),
            ];
        }

        var text = new TextRunRenderer(Console)
        {
            Verbose = verbose,
            ShowProgress = true,
            Answer = Console.Terminal is { } terminal ? new MarkdownAnswerWriter(terminal, context.Environment.Variables, Console.TerminalWidth) { Preview = _previews.Count > 0 ? _previews[0] : null, CurrentWidth = () => Console.TerminalWidth } : null,
            Reasoning = Console.Terminal is { } shown ? new ReasoningWriter(shown, plain, Console.TerminalWidth, TimeProvider.System) { Live = _previews.Count > 1 ? _previews[1] : null } : null,
            NumberCalls = true,
            Diffs = new DiffPreview(Colour: !TerminalStyle.IsPlain(context.Environment.Variables)),
        };
        var usage = new ChatUsage();
        var activity = new ChatActivity(TimeProvider.System);
        await using var frontEnd = await SessionFrontEnd.OpenAsync(context, options, parseResult, runtime => runtime.Events.Subscribe(typeof(AgentEvent), (e, _) =>
        {
            usage.Observe(e);
            activity.Observe(e);
            text.Render(e);
            return ValueTask.CompletedTask;
        }, EventDelivery.Lossless, "agent chat"), cancellationToken, prompterConsole: Console).ConfigureAwait(false);
        var (configuration, runtime, remembered, workspaceRoot) = (frontEnd.Configuration, frontEnd.Runtime, frontEnd.Remembered, frontEnd.WorkspaceRoot);
        var sessionOptions = frontEnd.SessionOptions(interactive: true);
        var session = await frontEnd.OpenSessionAsync(sessionOptions, cancellationToken).ConfigureAwait(false);
        var state = new ChatState(frontEnd.Service, frontEnd.Store, runtime, configuration, sessionOptions, usage, text, session) { PluginLoads = frontEnd.PluginLoads, Limits = limits, Activity = activity };
        _state = state;
        int? exitCode = null;
        try
        {
            var commands = _commands = ChatCommands.Create(this, [
                .. UserCommands.Load(context.Paths, configuration),
                .. UserCommands.FromPlugins(runtime.Host.Loaded.Values.Select(p => p.Manifest)),
            ]);
            var mentions = new FileMentions(workspaceRoot) { McpResources = (server, ct) => state.Session.ListMcpResourceUrisAsync(server, ct) };
            using var editor = new ChatEditor(context.Paths, commands.LiveNames, _console.Live, mentions, context.Console.Terminal ?? context.Console.Errors);
            _editor = editor;
            frontEnd.Prompter?.Ask = editor.IsLive ? editor.AskAsync : null;
            if (frontEnd.QuestionPrompter is { } questions)
            {
                questions.Name = "chat";
                questions.Ask = editor.IsLive ? editor.AskAsync : null;
            }

            Console.WriteInfo($"agent {AgentVersion.Current} · {workspaceRoot}");
            Console.WriteInfo(remembered is not null
                ? $"resumed session {remembered.SessionId}. /help for commands, Ctrl+D to exit."
                : "new session. /help for commands, @ and Tab for files, Ctrl+D to exit; Shift+Enter or a trailing \\ continues a line.");
            exitCode = await LoopAsync(state, editor, commands, cancellationToken).ConfigureAwait(false);
            return exitCode.Value;
        }
        finally
        {
            await state.Session.DisposeAsync().ConfigureAwait(false);
            await runtime.Events.DrainAsync(CancellationToken.None).ConfigureAwait(false);
            text.EndLine();
            if (state.Session.Id is { } id)
            {
                Console.WriteInfo($"session {id}. Continue with: agent --session {id}");
            }

            // After a hang-up no one reads the terminal: the log says how the chat ended and that its session was saved.
            var logger = context.LoggerFactory(parseResult).CreateLogger<ChatHost>();
            var how = Ending(exitCode, cancellationToken);
            LogEnded(logger, how, state.Session.Id ?? "(none: no prompt was sent)");
        }
    }

    private string Ending(int? exitCode, CancellationToken cancellationToken) => exitCode switch
    {
        _ when _hungUp => "the terminal hung up",
        _ when cancellationToken.IsCancellationRequested => "cancelled by a signal (SIGHUP, SIGTERM or Ctrl+C)",
        ExitCodes.Success => "exit",
        null => "failed",
        _ => "exit code " + exitCode.Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Chat ended ({How}); session {SessionId} saved")]
    private static partial void LogEnded(ILogger logger, string how, string sessionId);

    private async Task<int> LoopAsync(ChatState state, ChatEditor editor, ChatCommands commands, CancellationToken cancellationToken)
    {
        var interrupted = false;
        var queued = new Queue<string>();
        while (!cancellationToken.IsCancellationRequested)
        {
            ChatInput input;
            if (queued.TryDequeue(out var next))
            {
                // A prompt typed while the last turn ran: shown as if typed now (the editor, still drawn, makes way).
                editor.Hide();
                Console.WriteInfo(state.Prompt + next.ReplaceLineEndings("\n… "));
                input = new ChatInput(ChatInputKind.Text, next);
            }
            else
            {
                input = await editor.ReadAsync(state.Prompt, busy: false, cancellationToken).ConfigureAwait(false);
            }

            switch (input.Kind)
            {
                case ChatInputKind.Exit:
                    return ExitCodes.Success;
                case ChatInputKind.HungUp:
                    _hungUp = true;
                    return ExitCodes.Cancelled;
                case ChatInputKind.Interrupted when interrupted:
                    return ExitCodes.Success;
                case ChatInputKind.Interrupted:
                    interrupted = true;
                    Console.WriteInfo("(Ctrl+C again or Ctrl+D to exit)");
                    continue;
                case ChatInputKind.CycleMode:
                    await SwitchModeAsync(ChatState.NextMode(state.Mode), cancellationToken).ConfigureAwait(false);
                    continue;
            }

            interrupted = false;
            var line = input.Text.Trim();
            if (line.Length == 0)
            {
                continue;
            }

            TurnRequest? request = new(line);
            if (line.StartsWith('/'))
            {
                var outcome = await commands.RunAsync(line, cancellationToken).ConfigureAwait(false);
                if (outcome.Exit)
                {
                    return ExitCodes.Success;
                }

                if (outcome.Workflow is { } workflow)
                {
                    if (await WorkflowAsync(state, editor, workflow, cancellationToken).ConfigureAwait(false) is { } stop)
                    {
                        return stop;
                    }

                    continue;
                }

                if (outcome.Compare is { } compare)
                {
                    if (await CompareAsync(state, editor, compare, cancellationToken).ConfigureAwait(false) is { } stop)
                    {
                        return stop;
                    }

                    continue;
                }

                request = outcome.Prompt is { } prompt ? new TurnRequest(prompt) { Skills = outcome.Skills ?? [] }
                    : outcome.McpPrompt is { } mcpPrompt ? new TurnRequest(string.Empty) { McpPrompt = mcpPrompt }
                    : null;
            }

            if (request is not null && await TurnAsync(state, editor, request, queued, cancellationToken).ConfigureAwait(false) is { } exit)
            {
                return exit;
            }
        }

        return ExitCodes.Cancelled;
    }

    /// <summary>
    /// Sends one prompt as a turn. While it runs the editor stays live at the bottom of the screen: Enter queues the
    /// prompt typed (<paramref name="queued"/>; sent when the turn ends), Ctrl+C cancels the turn (a second one exits),
    /// <c>/exit</c> or Ctrl+D cancels it and exits, and a permission question is answered at the prompt.
    /// </summary>
    /// <returns>The exit code when the chat should end, else <see langword="null"/>.</returns>
    private async Task<int?> TurnAsync(ChatState state, ChatEditor editor, TurnRequest request, Queue<string> queued, CancellationToken cancellationToken)
    {
        TurnResult? result = null;
        var busy = new BusyWork(
            "turn",
            () => state.Session.CancelTurn(),
            text =>
            {
                queued.Enqueue(text);
                Console.WriteInfo("  queued: " + Shorten(text.ReplaceLineEndings(" ⏎ "), 100) + " (sent when this turn ends)");
            },
            CycleMode: true);
        var exit = await WhileBusyAsync(state, editor, busy, async () =>
        {
            try
            {
                result = await state.Session.SendAsync(state.Limits.Apply(request), cancellationToken).ConfigureAwait(false);
            }
            catch (AgentHostException ex)
            {
                await state.Runtime.Events.DrainAsync(CancellationToken.None).ConfigureAwait(false);
                state.Text.EndLine();
                Console.WriteError(ex.Message);
            }
        }, cancellationToken).ConfigureAwait(false);
        if (result is null)
        {
            return exit;
        }

        var run = result.Result;
        if (run.Outcome == RunOutcome.Cancelled)
        {
            Console.WriteInfo("turn cancelled.");
            if (queued.Count > 0 && exit is null)
            {
                Console.WriteInfo($"(dropped {queued.Count} queued prompt(s))");
                queued.Clear();
            }
        }
        else if (run.Outcome != RunOutcome.Completed)
        {
            Console.WriteInfo($"turn stopped ({run.Outcome}): {run.Reason ?? "no reason given"}");
        }

        Console.WriteInfo(state.StatusLine(Console.TerminalWidth - 1));
        return exit;
    }

    private static string Shorten(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";

    internal ChatState State => _state ?? throw new InvalidOperationException("the chat has not started.");

    /// <summary>
    /// Asks for a secret: masked in the editor when it is live, else with the console's hidden reader (nothing echoed).
    /// <see langword="null"/> when cancelled or nothing could be read.
    /// </summary>
    /// <param name="prompt">The question.</param>
    /// <param name="cancellationToken">Cancels it.</param>
    /// <returns>The secret.</returns>
    internal async Task<string?> AskSecretAsync(string prompt, CancellationToken cancellationToken) =>
        _editor is { IsLive: true } editor
            ? await editor.AskSecretAsync(prompt, cancellationToken).ConfigureAwait(false)
            : await Task.Run(() => Console.ReadSecret(prompt), cancellationToken).ConfigureAwait(false);

    /// <summary>The chat's state, or <see langword="null"/> before it has started.</summary>
    internal ChatState? StartedState => _state;

    internal CliContext Context => context;

    /// <summary>Whether the chat draws colours (diffs, styles): not with <c>NO_COLOR</c> or <c>TERM=dumb</c>.</summary>
    internal bool Colour => !TerminalStyle.IsPlain(context.Environment.Variables);

    /// <summary>The console the chat's commands write to: through the live area, so the editor at the bottom stays whole.</summary>
    internal IConsoleInteraction Output => Console;

    /// <param name="mode">The mode.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <param name="duringTurn">
    /// A turn runs: the gate's line is drawn as the turn's output (no drain: a permission question waiting at the prompt
    /// would hold the drain, and the prompt, forever).
    /// </param>
    internal async Task SwitchModeAsync(PermissionMode mode, CancellationToken cancellationToken, bool duringTurn = false)
    {
        var started = State.Session.RunContext is not null;
        await State.Session.SetPermissionModeAsync(mode, ConsolePermissionPrompter.Name, cancellationToken).ConfigureAwait(false);
        State.ModeOverride = mode;
        if (started && duringTurn)
        {
            return;
        }

        if (started)
        {
            // The session's gate published the change; its line is drawn before the next prompt.
            await State.Runtime.Events.DrainAsync(CancellationToken.None).ConfigureAwait(false);
        }
        else
        {
            Console.WriteInfo($"permission mode: {mode.ToDisplayName()}");
        }
    }
}
