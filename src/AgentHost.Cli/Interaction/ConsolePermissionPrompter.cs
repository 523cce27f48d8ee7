using AgentHost.Cli.Rendering;
using AgentHost.Cli.Terminal;
using AgentHost.Permissions;
using AgentHost.Permissions.Gate;
using AgentHost.Sdk.Events;

namespace AgentHost.Cli.Interaction;

/// <summary>
/// Answers permission requests at the terminal: shows the tool, plugin, action, subject, why it asks and the
/// tool's preview (the diff of an edit), then reads the answer. One of the front ends of the
/// <see cref="PermissionBroker"/>: it answers through the broker, so another front end may answer first.
/// </summary>
/// <remarks>Register only when a person is present (<see cref="IConsoleInteraction.IsInteractive"/>).</remarks>
internal sealed class ConsolePermissionPrompter : IDisposable
{
    /// <summary>The name recorded as who answered.</summary>
    public const string Name = "cli";

    private const int MaxDetailLines = 60;

    private readonly IConsoleInteraction _console;
    private readonly PermissionBroker _broker;
    private readonly IDisposable _responder;
    private readonly IDisposable _subscription;
    private readonly string? _projectConfig;
    private readonly string? _globalConfig;
    private Task<string?>? _reading;

    /// <summary>Starts answering the requests published on <paramref name="events"/>.</summary>
    /// <param name="console">The terminal.</param>
    /// <param name="broker">Where answers go.</param>
    /// <param name="events">Where requests arrive.</param>
    /// <param name="projectConfig">The project config file ("always, this project").</param>
    /// <param name="globalConfig">The global config file ("always, everywhere").</param>
    public ConsolePermissionPrompter(IConsoleInteraction console, PermissionBroker broker, IEventBus events, string? projectConfig, string? globalConfig)
    {
        _console = console;
        _broker = broker;
        _projectConfig = projectConfig;
        _globalConfig = globalConfig;
        _responder = broker.AddResponder(Name);
        _subscription = events.Subscribe<PermissionRequestedEvent>((request, cancellationToken) =>
        {
            if (Ask is not null)
            {
                return new ValueTask(AnswerAsync(request, cancellationToken));
            }

            return new ValueTask(AnswerAtConsoleAsync(request));
        });
    }

    /// <summary>
    /// Where the answer is read when not from <see cref="IConsoleInteraction.ReadLine"/>: the chat's line editor, which
    /// asks the question at the prompt while the turn runs. It returns <see langword="null"/> when the question was
    /// cancelled (Ctrl+C cancels the turn): the request is then denied, saying so.
    /// </summary>
    public Func<string, CancellationToken, Task<string?>>? Ask { get; set; }

    /// <summary>Whether a diff in a question is coloured (a terminal without <c>NO_COLOR</c> or <c>TERM=dumb</c>).</summary>
    public bool Colour { get; init; }

    /// <summary>Shows one request and answers it from what the person types.</summary>
    /// <param name="request">The request.</param>
    /// <returns>A task.</returns>
    public async Task AnswerAtConsoleAsync(PermissionRequestedEvent request)
    {
        ArgumentNullException.ThrowIfNull(request);
        Show(request);
        if (await ReadAsync(request).ConfigureAwait(false) is not { } answer)
        {
            _console.WriteInfo("  (the question was withdrawn: the run was cancelled)");
        }
        else if (!_broker.TryAnswer(request.RequestId, answer))
        {
            _console.WriteInfo("  (already answered elsewhere)");
        }
    }

    /// <summary>Shows one request and answers it from what the person types in <see cref="Ask"/>.</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Stops asking (the request is denied).</param>
    public async Task AnswerAsync(PermissionRequestedEvent request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var ask = Ask ?? throw new InvalidOperationException("no Ask set.");
        Show(request);
        while (true)
        {
            var line = await ask($"  answer [{Keys(request)}]: ", cancellationToken).ConfigureAwait(false);
            if (line is null)
            {
                _broker.TryAnswer(request.RequestId, new PermissionAnswer(PermissionAnswerKind.Deny, Name) { Reason = "the user cancelled the turn" });
                return;
            }

            if (Parse(request, line) is { } answer)
            {
                if (!_broker.TryAnswer(request.RequestId, answer))
                {
                    _console.WriteInfo("  (already answered elsewhere)");
                }

                return;
            }

            _console.WriteInfo($"  '{line.Trim()}' is not one of the answers.");
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _subscription.Dispose();
        _responder.Dispose();
    }

    private void Show(PermissionRequestedEvent request)
    {
        _console.WriteInfo(string.Empty);
        _console.WriteInfo($"? permission [{request.Risk}]: {request.Plugin}/{request.Tool} wants to {request.Action}{(request.Subject is null ? string.Empty : ": " + Continued(request.Subject))}");
        _console.WriteInfo($"  why: {Continued(request.Reason)}");
        if (request.Details is { Length: > 0 } details)
        {
            var lines = details.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');
            foreach (var line in lines.Take(MaxDetailLines))
            {
                _console.WriteInfo("  │ " + DiffStyle.Line(line, Colour));
            }

            if (lines.Length > MaxDetailLines)
            {
                _console.WriteInfo($"  │ … {lines.Length - MaxDetailLines} more lines");
            }
        }

        var rules = string.Join(", ", request.SuggestedRules);
        _console.WriteInfo("  y  allow once");
        if (request.SuggestedRules.Count > 0)
        {
            _console.WriteInfo($"  s  allow for this session: {rules}");
            _console.WriteInfo($"  p  always allow in this project: {rules} → {_projectConfig ?? "(no project config)"}");
            _console.WriteInfo($"  g  always allow everywhere: {rules} → {_globalConfig ?? "(no global config)"}");
        }

        if (IsEdit(request))
        {
            _console.WriteInfo("  e  allow, and accept all edits from now on (switch to accept-edits)");
        }

        _console.WriteInfo("  n  deny (you can tell the model why: n <reason>)");
    }

    /// <summary>Reads answers until one is valid; <see langword="null"/> when the request went away meanwhile (Ctrl+C cancelled the run).</summary>
    private async Task<PermissionAnswer?> ReadAsync(PermissionRequestedEvent request)
    {
        while (true)
        {
            _console.WriteInfo($"  answer [{Keys(request)}]:");

            // The line is read on another thread, so a request the run withdrew (Ctrl+C) stops the wait; a line still
            // being read then answers the next question.
            var reading = _reading ??= Task.Run(_console.ReadLine);
            if (!await ConsoleLineReading.WaitAsync(reading, () => _broker.PendingRequests.Any(r => r.RequestId == request.RequestId)).ConfigureAwait(false))
            {
                return null;
            }

            _reading = null;
            var line = await reading.ConfigureAwait(false);
            if (line is null)
            {
                return new PermissionAnswer(PermissionAnswerKind.Deny, Name) { Reason = "no answer (end of input)" };
            }

            if (Parse(request, line) is { } answer)
            {
                return answer;
            }

            _console.WriteInfo($"  '{line.Trim()}' is not one of the answers.");
        }
    }

    /// <summary>
    /// A field that may hold line breaks (a multi-line command) with each further line marked (<c>  ┆ </c>), so no line
    /// of it can pass for a line of the question (<c>  y  allow once</c>). Its control characters are neutralised when
    /// it is written, as all console text is.
    /// </summary>
    private static string Continued(string text) => TerminalText.Indented(text, "  ┆ ");

    private static string Keys(PermissionRequestedEvent request) =>
        (request.SuggestedRules.Count > 0 ? "y/s/p/g" : "y") + (IsEdit(request) ? "/e" : string.Empty) + "/n";

    /// <summary>The answer <paramref name="line"/> gives, or <see langword="null"/> when it is not one of them.</summary>
    private static PermissionAnswer? Parse(PermissionRequestedEvent request, string line)
    {
        var text = line.Trim();
        var space = text.IndexOfAny([' ', '\t']);
        var key = (space < 0 ? text : text[..space]).ToLowerInvariant();
        var rest = space < 0 ? string.Empty : text[space..].Trim();
        var scoped = request.SuggestedRules.Count > 0;
        return key switch
        {
            "y" or "yes" => new PermissionAnswer(PermissionAnswerKind.AllowOnce, Name),
            "s" or "session" when scoped => new PermissionAnswer(PermissionAnswerKind.AllowSession, Name),
            "p" or "project" when scoped => new PermissionAnswer(PermissionAnswerKind.AlwaysProject, Name),
            "g" or "global" when scoped => new PermissionAnswer(PermissionAnswerKind.AlwaysGlobal, Name),
            "e" or "edits" when IsEdit(request) => new PermissionAnswer(PermissionAnswerKind.AllowOnce, Name) { SwitchToMode = PermissionMode.AcceptEdits },
            "n" or "no" or "deny" => new PermissionAnswer(PermissionAnswerKind.Deny, Name) { Reason = rest.Length > 0 ? rest : null },
            _ => null,
        };
    }

    private static bool IsEdit(PermissionRequestedEvent request) =>
        request.Action.ToLowerInvariant() is "write" or "edit" or "multi_edit" or "multiedit" or "create" or "delete" or "move";
}
