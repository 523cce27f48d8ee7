namespace AgentHost.Cli.Chat;

/// <content>
/// What a turn and a <c>/workflow</c> run share while they run: the editor stays live at the bottom of the screen,
/// Ctrl+C cancels the work (a second one exits), <c>/exit</c> or Ctrl+D cancels it and exits, questions are answered
/// at the prompt, and the tool spinner runs.
/// </content>
internal sealed partial class ChatHost
{
    /// <summary>Stops the turn or workflow that runs, as Ctrl+C does (<c>/kill turn</c>); <see langword="false"/> when none runs.</summary>
    internal bool CancelWork()
    {
        if (Volatile.Read(ref _cancelWork) is not { } cancel)
        {
            return false;
        }

        cancel();
        return true;
    }

    /// <summary>The commands that answer while a turn runs instead of being queued as a prompt: <c>/ps</c>, <c>/kill …</c>, <c>/timeout …</c>, <c>/approve …</c>.</summary>
    private static bool IsWorkCommand(string line) =>
        line is "/ps" or "/kill" or "/timeout" or "/approve"
        || line.StartsWith("/kill ", StringComparison.Ordinal) || line.StartsWith("/timeout ", StringComparison.Ordinal) || line.StartsWith("/approve ", StringComparison.Ordinal);

    /// <summary>What is running, and what typing does meanwhile.</summary>
    /// <param name="Name">What Ctrl+C cancels, for its message: <c>turn</c>, <c>workflow</c>.</param>
    /// <param name="Cancel">Cancels the work.</param>
    /// <param name="OnText">What a prompt typed meanwhile does (queue it, or say to type it again).</param>
    /// <param name="CycleMode">Whether Shift+Tab switches the permission mode meanwhile.</param>
    private sealed record BusyWork(string Name, Action Cancel, Action<string> OnText, bool CycleMode);

    /// <summary>Runs <paramref name="work"/> with the editor live; returns the exit code when the chat should end, else <see langword="null"/>.</summary>
    private async Task<int?> WhileBusyAsync(ChatState state, ChatEditor editor, BusyWork busy, Func<Task> work, CancellationToken cancellationToken)
    {
        var cancelling = 0;
        int? exit = null;
        void Cancel()
        {
            if (Interlocked.Exchange(ref cancelling, 1) == 0)
            {
                busy.Cancel();
                Console.WriteInfo($"(cancelling the {busy.Name}; Ctrl+C again exits)");
            }
        }

        // Without a live editor (a dumb terminal) Ctrl+C arrives as a signal.
        using var interrupt = ChatInterrupts.Push(() =>
        {
            if (Interlocked.Exchange(ref cancelling, 1) == 1)
            {
                return false; // the second Ctrl+C ends the process, as in agent run
            }

            busy.Cancel();
            Console.WriteInfo($"(cancelling the {busy.Name}; Ctrl+C again exits)");
            return true;
        });
        Volatile.Write(ref _cancelWork, Cancel);
        await using var spinner = _console?.Live is { } live ? new ToolSpinner(live, state.Runtime.Events, turn: busy.Name == "turn", _previews) : null;
        using var stopReading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var reading = editor.IsLive ? ReadWhileBusyAsync() : Task.CompletedTask;
        try
        {
            await work().ConfigureAwait(false);
        }
        finally
        {
            Volatile.Write(ref _cancelWork, null);
            await stopReading.CancelAsync().ConfigureAwait(false);
            await reading.ConfigureAwait(false);
            editor.DropQuestion();
            await state.Runtime.Events.DrainAsync(CancellationToken.None).ConfigureAwait(false);
            if (spinner is not null)
            {
                await spinner.DisposeAsync().ConfigureAwait(false);
            }

            state.Text.EndLine();
        }

        return exit;

        async Task ReadWhileBusyAsync()
        {
            try
            {
                while (exit is null)
                {
                    var input = await editor.ReadAsync(state.Prompt, busy: true, stopReading.Token).ConfigureAwait(false);
                    switch (input.Kind)
                    {
                        case ChatInputKind.Interrupted when Volatile.Read(ref cancelling) == 1:
                            exit = ExitCodes.Cancelled;
                            break;
                        case ChatInputKind.Interrupted:
                            Cancel();
                            break;
                        case ChatInputKind.HungUp:
                            _hungUp = true;
                            exit = ExitCodes.Cancelled;
                            Cancel();
                            break;
                        case ChatInputKind.Exit:
                        case ChatInputKind.Text when input.Text.Trim() is "/exit" or "/quit" or "/q":
                            exit = ExitCodes.Success;
                            Cancel();
                            break;
                        case ChatInputKind.CycleMode when busy.CycleMode:
                            await SwitchModeAsync(ChatState.NextMode(state.Mode), cancellationToken, duringTurn: true).ConfigureAwait(false);
                            break;
                        case ChatInputKind.Text when IsWorkCommand(input.Text.Trim()) && _commands is { } commands:
                            // What runs and how to stop it are asked while it runs: answered now, never queued.
                            await commands.RunAsync(input.Text.Trim(), cancellationToken).ConfigureAwait(false);
                            break;
                        case ChatInputKind.Text when input.Text.Trim().Length > 0:
                            busy.OnText(input.Text.Trim());
                            break;
                    }
                }
            }
            catch (OperationCanceledException) when (stopReading.IsCancellationRequested)
            {
                // the work ended; what is typed stays in the editor
            }
        }
    }
}
