using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using AgentHost.Cli.Rendering;
using AgentHost.Cli.Terminal;
using AgentHost.Hosting.Events;
using AgentHost.Sdk.Events;

namespace AgentHost.Cli.Chat;

/// <summary>
/// The status line while work runs, redrawn a few times a second in the <see cref="LiveArea"/>. While tools run:
/// <c>⠋ shell npm test · 3.2 s</c> (with the call's last progress when it reports any: <c>⠋ mcp__srv__index · 3/10 files · 3.2 s</c>),
/// removed when the tool completes (its result line is drawn by the renderer as usual). During a turn, from the moment
/// the prompt is sent, whenever no tool runs: what the model is doing, the turn's time and the tokens it has streamed,
/// <c>⠋ waiting for the model · 8.1 s</c>, <c>⠋ thinking · 9.4 s · ↓ 120 tokens</c>, <c>⠋ writing · 12.0 s · ↓ 430 tokens</c>.
/// Nothing is shown while a permission question waits for an answer.
/// </summary>
/// <remarks>
/// The tokens are the provider's count for the turn's finished steps and an estimate (4 characters a token) for the
/// step that streams. Each tick also draws the streamed text that arrived since the last redraw (<see cref="StreamPreview.Refresh"/>).
/// </remarks>
internal sealed class ToolSpinner : IAsyncDisposable
{
    private const string Frames = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏";
    private static readonly string[] SubjectNames = ["command", "path", "file_path", "pattern", "url", "query", "name"];

    private readonly Lock _sync = new();
    private readonly LiveArea _live;
    private readonly IDisposable _subscription;
    private readonly List<Running> _running = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _ticking;
    private readonly Stopwatch _turnClock = Stopwatch.StartNew();
    private readonly bool _turn;
    private readonly IReadOnlyList<StreamPreview> _previews;
    private int _frame;
    private int _disposed;
    private int _asking;
    private string _phase = "waiting for the model";
    private long _stepCharacters;
    private long _finishedTokens;

    /// <param name="live">The live area.</param>
    /// <param name="events">The bus the run's events come on.</param>
    /// <param name="turn">Whether a turn runs (the model's line is shown whenever no tool runs); else only tools are shown.</param>
    /// <param name="previews">The streamed-text previews to draw at each tick.</param>
    public ToolSpinner(LiveArea live, EventBus events, bool turn = false, IReadOnlyList<StreamPreview>? previews = null)
    {
        _live = live;
        _turn = turn;
        _previews = previews ?? [];
        _subscription = events.Subscribe(typeof(AgentEvent), (e, _) =>
        {
            Observe(e);
            return ValueTask.CompletedTask;
        }, EventDelivery.Lossless, "chat spinner");
        _ticking = TickAsync();
        if (turn)
        {
            Draw(); // a sign of life from the moment the prompt is sent
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _subscription.Dispose();
        _stop.Cancel();
        try
        {
            await _ticking.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
        _live.SetStatus(null);
    }

    /// <summary>The subject a tool call is about: its command, path, pattern or URL, on one line.</summary>
    internal static string Label(string tool, string argumentsJson)
    {
        string? subject = null;
        try
        {
            using var document = JsonDocument.Parse(argumentsJson);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                var strings = document.RootElement.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.String).ToList();
                subject = SubjectNames.Select(name => strings.FirstOrDefault(p => p.Name == name).Value)
                    .Where(v => v.ValueKind == JsonValueKind.String)
                    .Select(v => v.GetString())
                    .FirstOrDefault() ?? strings.Select(p => p.Value.GetString()).FirstOrDefault();
            }
        }
        catch (JsonException)
        {
        }

        if (string.IsNullOrWhiteSpace(subject))
        {
            return tool;
        }

        subject = string.Join(' ', subject.Split((char[])['\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries)).Trim();
        return tool + " " + (subject.Length > 60 ? subject[..59] + "…" : subject);
    }

    private void Observe(AgentEvent agentEvent)
    {
        lock (_sync)
        {
            switch (agentEvent)
            {
                case ToolCallStartedEvent started:
                    _running.Add(new Running(started.CallId, Label(started.Tool, started.ArgumentsJson), Stopwatch.StartNew()));
                    break;
                case ToolCallProgressEvent progress when _running.Find(r => r.CallId == progress.CallId) is { } call:
                    call.Progress = progress.Message.Length > 40 ? progress.Message[..39] + "…" : progress.Message;
                    break;
                case ToolCallCompletedEvent completed:
                    _running.RemoveAll(r => r.CallId == completed.CallId);
                    break;
                case PermissionRequestedEvent:
                    _asking++; // the question is at the prompt: no spinner while it waits for the person
                    break;
                case PermissionDecidedEvent:
                    _asking = Math.Max(0, _asking - 1);
                    break;
                case ReasoningDeltaEvent reasoning:
                    _stepCharacters += reasoning.Text.Length;
                    if (_phase == "thinking")
                    {
                        return;
                    }

                    _phase = "thinking";
                    break;
                case MessageDeltaEvent message:
                    _stepCharacters += message.Text.Length;
                    if (_phase == "writing")
                    {
                        return;
                    }

                    _phase = "writing";
                    break;
                case StepCompletedEvent step:
                    _finishedTokens += step.OutputTokens ?? ((_stepCharacters + 3) / 4);
                    _stepCharacters = 0;
                    _phase = "waiting for the model";
                    break;
                default:
                    return;
            }
        }

        Draw();
    }

    private async Task TickAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(150));
        while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
        {
            _frame++;
            foreach (var preview in _previews)
            {
                preview.Refresh();
            }

            Draw();
        }
    }

    private void Draw()
    {
        TerminalText? line = null; // the label and progress are the model's and the tool's: neutralised
        lock (_sync)
        {
            if (_running.Count > 0 && _asking == 0)
            {
                var first = _running[0];
                var more = _running.Count > 1 ? $" (+{_running.Count - 1} more)" : string.Empty;
                var progress = first.Progress is { Length: > 0 } done ? $" · {done}" : string.Empty;
                line = $"{Frames[_frame % Frames.Length]} {first.Label}{progress} · {first.Clock.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s{more}";
            }
            else if (_turn && _asking == 0)
            {
                var tokens = _finishedTokens + ((_stepCharacters + 3) / 4);
                var count = tokens > 0 ? $" · ↓ {ChatUsage.Tokens(tokens)} {(tokens == 1 ? "token" : "tokens")}" : string.Empty;
                line = $"{Frames[_frame % Frames.Length]} {_phase} · {_turnClock.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s{count}";
            }
        }

        _live.SetStatus(line);
    }

    /// <summary>One running call: its label, clock, and its last progress message (e.g. <c>3/10 step</c>).</summary>
    private sealed class Running(string callId, string label, Stopwatch clock)
    {
        public string CallId { get; } = callId;

        public string Label { get; } = label;

        public Stopwatch Clock { get; } = clock;

        public string? Progress { get; set; }
    }
}
