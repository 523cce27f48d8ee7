using System.CommandLine;
using AgentHost.Agent.Runs;
using AgentHost.Agent.Service;
using AgentHost.Cli.Interaction;
using AgentHost.Cli.Rendering;
using AgentHost.Hosting;
using AgentHost.Hosting.Configuration;
using AgentHost.Hosting.Events;
using AgentHost.Hosting.Plugins;
using AgentHost.Permissions;
using AgentHost.Sdk.Events;

namespace AgentHost.Cli.Chat;

/// <summary>
/// An interactive session at a terminal: a thin client of the session service. It composes the plugin runtime, the
/// permission broker and the service as <c>agent run</c> does, then reads prompts with the line editor and sends each
/// as a turn (<see cref="AgentSession.SendAsync"/>), rendering the events as <c>agent run</c>'s text output does.
/// </summary>
internal sealed partial class ChatHost(CliContext context, SessionChoiceOptions options)
{
    private ChatState? _state;

    private IConsoleInteraction Console => context.Console;

    public async Task<int> RunAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        if (!Console.IsInteractive)
        {
            throw new AgentHostException(ErrorKind.Usage, "no command given, and this is not a terminal (input or output is redirected, or CI is set): the chat needs a person at a terminal. For a headless run use: agent run \"…\" (see 'agent --help').");
        }

        var verbose = parseResult.GetValue(context.GlobalOptions.Verbose);
        var text = new TextRunRenderer(Console)
        {
            Verbose = verbose,
            ShowProgress = true,
            Answer = Console.Terminal is { } terminal ? new MarkdownAnswerWriter(terminal, context.Environment.Variables, Console.TerminalWidth) : null,
            Reasoning = Console.Terminal is { } shown ? new ReasoningWriter(shown, TerminalStyle.IsPlain(context.Environment.Variables), Console.TerminalWidth, TimeProvider.System) : null,
            NumberCalls = true,
        };
        var usage = new ChatUsage();
        await using var frontEnd = await SessionFrontEnd.OpenAsync(context, options, parseResult, runtime => runtime.Events.Subscribe(typeof(AgentEvent), (e, _) =>
        {
            usage.Observe(e);
            text.Render(e);
            return ValueTask.CompletedTask;
        }, EventDelivery.Lossless, "agent chat"), cancellationToken).ConfigureAwait(false);
        var (configuration, runtime, remembered, workspaceRoot) = (frontEnd.Configuration, frontEnd.Runtime, frontEnd.Remembered, frontEnd.WorkspaceRoot);
        var sessionOptions = frontEnd.SessionOptions(interactive: true);
        var session = await frontEnd.OpenSessionAsync(sessionOptions, cancellationToken).ConfigureAwait(false);
        var state = new ChatState(frontEnd.Service, frontEnd.Store, runtime, configuration, sessionOptions, usage, text, session) { PluginLoads = frontEnd.PluginLoads };
        _state = state;
        try
        {
            var commands = ChatCommands.Create(this, UserCommands.Load(context.Paths, configuration.ProjectRoot));
            var editor = new ChatEditor(context.Paths, commands.Names, System.Console.Out);
            Console.WriteInfo($"agent {AgentProgram.Version} · {workspaceRoot}");
            Console.WriteInfo(remembered is not null
                ? $"resumed session {remembered.SessionId}. /help for commands, Ctrl+D to exit."
                : "new session. /help for commands, Ctrl+D to exit; end a line with \\ to continue it.");
            return await LoopAsync(state, editor, commands, cancellationToken).ConfigureAwait(false);
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
        }
    }

    private async Task<int> LoopAsync(ChatState state, ChatEditor editor, ChatCommands commands, CancellationToken cancellationToken)
    {
        var interrupted = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            var input = await editor.ReadAsync(state.ModeName, cancellationToken).ConfigureAwait(false);
            switch (input.Kind)
            {
                case ChatInputKind.Exit:
                    return ExitCodes.Success;
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

                request = outcome.Prompt is { } prompt ? new TurnRequest(prompt) { Skills = outcome.Skills ?? [] } : null;
            }

            if (request is not null)
            {
                await TurnAsync(state, request, cancellationToken).ConfigureAwait(false);
            }
        }

        return ExitCodes.Cancelled;
    }

    /// <summary>Sends one prompt as a turn; Ctrl+C while it runs cancels the turn (a second one exits).</summary>
    private async Task TurnAsync(ChatState state, TurnRequest request, CancellationToken cancellationToken)
    {
        var cancelling = 0;
        using var interrupt = ChatInterrupts.Push(() =>
        {
            if (Interlocked.Exchange(ref cancelling, 1) == 1)
            {
                return false; // the second Ctrl+C ends the process, as in agent run
            }

            state.Session.CancelTurn();
            Console.WriteInfo("(cancelling the turn; Ctrl+C again exits)");
            return true;
        });
        TurnResult? result = null;
        try
        {
            result = await state.Session.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (AgentHostException ex)
        {
            await state.Runtime.Events.DrainAsync(CancellationToken.None).ConfigureAwait(false);
            state.Text.EndLine();
            Console.WriteError(ex.Message);
            return;
        }
        finally
        {
            await state.Runtime.Events.DrainAsync(CancellationToken.None).ConfigureAwait(false);
            state.Text.EndLine();
        }

        var run = result.Result;
        if (run.Outcome == RunOutcome.Cancelled)
        {
            Console.WriteInfo("turn cancelled.");
        }
        else if (run.Outcome != RunOutcome.Completed)
        {
            Console.WriteInfo($"turn stopped ({run.Outcome}): {run.Reason ?? "no reason given"}");
        }

        Console.WriteInfo(state.StatusLine());
    }

    internal ChatState State => _state ?? throw new InvalidOperationException("the chat has not started.");

    internal CliContext Context => context;

    internal async Task SwitchModeAsync(PermissionMode mode, CancellationToken cancellationToken)
    {
        var started = State.Session.RunContext is not null;
        await State.Session.SetPermissionModeAsync(mode, ConsolePermissionPrompter.Name, cancellationToken).ConfigureAwait(false);
        State.ModeOverride = mode;
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
