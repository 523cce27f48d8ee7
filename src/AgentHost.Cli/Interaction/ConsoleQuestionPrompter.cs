using System.Globalization;
using AgentHost.Agent.Questions;
using AgentHost.Sdk.Events;

namespace AgentHost.Cli.Interaction;

/// <summary>
/// Answers questions for a person (the model's <c>ask_user</c>, a workflow's <c>wait</c> node) at the terminal: shows
/// the question and its options as a numbered list, then reads the answer (an option's number or text, or free text
/// when there are no options). One of the front ends of the <see cref="QuestionBroker"/>: it answers through the
/// broker, so another front end may answer first. In the chat the answer is typed in its editor (<see cref="Ask"/>).
/// </summary>
/// <remarks>Register only when a person is present (<see cref="IConsoleInteraction.IsInteractive"/>): a headless run never waits on a prompt.</remarks>
internal sealed class ConsoleQuestionPrompter : IDisposable
{

    private readonly IConsoleInteraction _console;
    private readonly QuestionBroker _broker;
    private readonly IDisposable _responder;
    private readonly IDisposable _subscription;
    private Task<string?>? _reading;

    /// <summary>Starts answering the questions published on <paramref name="events"/>.</summary>
    /// <param name="console">The terminal.</param>
    /// <param name="broker">Where answers go.</param>
    /// <param name="events">Where questions arrive.</param>
    /// <param name="name">Who answers, as recorded (<c>console</c>, <c>chat</c>).</param>
    public ConsoleQuestionPrompter(IConsoleInteraction console, QuestionBroker broker, IEventBus events, string name = "console")
    {
        _console = console;
        _broker = broker;
        Name = name;
        _responder = broker.AddResponder(name);
        _subscription = events.Subscribe<QuestionAskedEvent>((question, cancellationToken) =>
        {
            if (!broker.IsPending(question.QuestionId))
            {
                return ValueTask.CompletedTask; // decided already (a prepared answer), or withdrawn
            }

            if (Ask is not null)
            {
                return new ValueTask(AnswerAsync(question, cancellationToken));
            }

            return new ValueTask(AnswerAtConsoleAsync(question));
        });
    }

    /// <summary>Who answers, as recorded in <see cref="HumanAnswer.AnsweredBy"/>.</summary>
    public string Name { get; set; }

    /// <summary>
    /// Where the answer is read when not from <see cref="IConsoleInteraction.ReadLine"/>: the chat's line editor. It
    /// returns <see langword="null"/> when the question was cancelled (Ctrl+C); the question then stays unanswered here.
    /// </summary>
    public Func<string, CancellationToken, Task<string?>>? Ask { get; set; }

    /// <summary>The answer a typed line gives: an option's number or text (ignoring case), any text without options; else <see langword="null"/>.</summary>
    /// <param name="options">The question's options.</param>
    /// <param name="line">What was typed.</param>
    /// <returns>The answer, or <see langword="null"/>.</returns>
    public static string? Parse(IReadOnlyList<string> options, string line)
    {
        var text = line.Trim();
        if (text.Length == 0)
        {
            return null;
        }

        if (options.Count > 0 && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number >= 1 && number <= options.Count)
        {
            return options[number - 1];
        }

        return QuestionBroker.Match(options, text);
    }

    /// <summary>Shows one question and answers it from what the person types at the console.</summary>
    /// <param name="question">The question.</param>
    /// <returns>A task.</returns>
    public async Task AnswerAtConsoleAsync(QuestionAskedEvent question)
    {
        ArgumentNullException.ThrowIfNull(question);
        Show(question);
        while (true)
        {
            _console.WriteInfo($"  answer{Keys(question)}:");
            var reading = _reading ??= Task.Run(_console.ReadLine);
            if (!await ConsoleLineReading.WaitAsync(reading, () => _broker.IsPending(question.QuestionId)).ConfigureAwait(false))
            {
                _console.WriteInfo("  (the question was withdrawn or answered elsewhere)");
                return;
            }

            _reading = null;
            if (await reading.ConfigureAwait(false) is not { } line)
            {
                return; // end of input: the question stays for another front end, or its time-out
            }

            if (Decide(question, line))
            {
                return;
            }
        }
    }

    /// <summary>Shows one question and answers it from what the person types in <see cref="Ask"/>.</summary>
    /// <param name="question">The question.</param>
    /// <param name="cancellationToken">Stops asking.</param>
    /// <returns>A task.</returns>
    public async Task AnswerAsync(QuestionAskedEvent question, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(question);
        var ask = Ask ?? throw new InvalidOperationException("no Ask set.");
        Show(question);
        while (_broker.IsPending(question.QuestionId))
        {
            var line = await ask($"  answer{Keys(question)}: ", cancellationToken).ConfigureAwait(false);
            if (line is null || Decide(question, line))
            {
                return;
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _subscription.Dispose();
        _responder.Dispose();
    }

    /// <summary>Answers with <paramref name="line"/>; <see langword="false"/> when it is no answer and the person should try again.</summary>
    private bool Decide(QuestionAskedEvent question, string line)
    {
        if (Parse(question.Options, line) is not { } answer)
        {
            _console.WriteInfo(line.Trim().Length == 0 ? "  (type an answer)" : $"  {QuestionBroker.NotAnOption(question.Options, line.Trim())}.");
            return false;
        }

        if (!_broker.TryAnswer(question.QuestionId, answer, Name, out var refusal))
        {
            _console.WriteInfo($"  ({refusal})");
        }

        return true;
    }

    private void Show(QuestionAskedEvent question)
    {
        _console.WriteInfo(string.Empty);
        var from = question.NodeId is { } node ? $" (workflow step {node})" : string.Empty;
        _console.WriteInfo($"? question{from}: {question.Text}");
        for (var i = 0; i < question.Options.Count; i++)
        {
            _console.WriteInfo(string.Create(CultureInfo.InvariantCulture, $"  {i + 1}  {question.Options[i]}"));
        }
    }

    private static string Keys(QuestionAskedEvent question) =>
        question.Options.Count > 0 ? string.Create(CultureInfo.InvariantCulture, $" [1-{question.Options.Count} or the text]") : string.Empty;
}
