using System.ComponentModel;
using System.Globalization;
using AgentHost.Agent.Skills;
using AgentHost.Agent.Tools;
using AgentHost.Hosting.Capabilities;
using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Tools;
using Microsoft.Extensions.AI;

namespace AgentHost.Agent.Questions;

/// <summary>
/// The kernel's <c>ask_user</c> tool (read effect, offered in every session): puts a question to the person through
/// the process's <see cref="QuestionBroker"/> and returns the answer. With nobody present to answer, the result says
/// so and tells the model to carry on by its own judgement or to stop and say what it needs; it is not an error.
/// </summary>
internal static class AskUserTool
{
    /// <summary>The tool name.</summary>
    public const string Name = "ask_user";

    /// <summary>The tool description the model sees.</summary>
    public const string Description =
        "Asks the user and waits for the answer; only for a decision or information you cannot do well without. " +
        "If nobody answers, the result says so.";

    /// <summary>The start of the result when nobody answered.</summary>
    public const string NobodyPrefix = "No answer:";

    /// <summary>
    /// The function, one per process; each session binds its own state to it. Its reflection (parameter binding and JSON
    /// schema) waits until it is first called or its schema is first read (<see cref="DeferredMethodFunction"/>), and a
    /// run describes it to the model from the data directory's schema cache (<see cref="Hosting.Plugins.Caches.ToolSchemaCache"/>,
    /// keyed by this assembly's build), so the way to the first model request builds nothing by reflection.
    /// </summary>
    private static readonly Lazy<AIFunction> Template = new(CreateTemplate);

    /// <summary>A new (unbuilt) process-wide function: <see cref="Template"/>'s, and tests' own.</summary>
    /// <returns>The function.</returns>
    internal static AIFunction CreateTemplate() => new DeferredMethodFunction(
        async ([Description("The question, self-contained.")] string question,
               [Description("The allowed answers; none for free text.")] string[]? options = null,
               AIFunctionArguments arguments = null!,
               CancellationToken cancellationToken = default) =>
        {
            if (string.IsNullOrWhiteSpace(question))
            {
                throw new ArgumentException("'question' is empty: pass the question to ask the user.", nameof(question));
            }

            var session = SessionBoundFunction.StateOf<SessionState>(arguments);
            var id = string.Create(CultureInfo.InvariantCulture, $"q_{session.SessionId}_{session.NextSequence()}");
            var asked = new HumanQuestion(id, question.Trim())
            {
                Options = [.. (options ?? []).Where(o => !string.IsNullOrWhiteSpace(o)).Select(o => o.Trim()).Distinct(StringComparer.Ordinal)],
                SessionId = session.SessionId,
            };
            var outcome = await session.Questions.AskForOutcomeAsync(asked, cancellationToken, headless: !session.Interactive).ConfigureAwait(false);
            return outcome.Answer is { } answer ? answer.Text : Unanswered(outcome.Why);
        },
        new AIFunctionFactoryOptions { Name = Name, Description = Description });

    /// <summary>Creates the process-wide function on the calling thread (nothing is built by reflection; a no-op once created).</summary>
    internal static void PrepareNow() => _ = Template.Value;

    /// <summary>Creates the tool for a session.</summary>
    /// <param name="questions">The broker.</param>
    /// <param name="sessionId">The session that asks.</param>
    /// <param name="interactive">Whether a person is present in the session (else only prepared answers answer, nobody is waited for).</param>
    /// <returns>The tool, registered as plugin <c>kernel</c>.</returns>
    public static RegisteredCapability Create(QuestionBroker questions, string sessionId, bool interactive)
    {
        ArgumentNullException.ThrowIfNull(questions);
        ArgumentNullException.ThrowIfNull(sessionId);
        var function = new SessionBoundFunction(Template.Value, new SessionState(questions, sessionId, interactive));
        var tool = new ToolCapability(function, new ToolMetadata(ToolEffect.Read) { DescribeCall = Describe, Parallelizable = false });
        return new RegisteredCapability(tool, SkillTool.KernelPluginId, typeof(AskUserTool).Assembly.GetName().Version?.ToString(3) ?? "0.0.0");
    }

    /// <summary>The result when nobody answered.</summary>
    public static string Unanswered(string? why) =>
        $"{NobodyPrefix} {why ?? "nobody is present to answer"}. Proceed on your own judgement (say which assumption you made), or stop and say what you need from the user.";

    /// <summary>One session's questions: where they go, whose they are, and their sequence number.</summary>
    private sealed class SessionState(QuestionBroker questions, string sessionId, bool interactive)
    {
        private int _sequence;

        public int NextSequence() => Interlocked.Increment(ref _sequence);

        public QuestionBroker Questions { get; } = questions;

        public string SessionId { get; } = sessionId;

        public bool Interactive { get; } = interactive;
    }

    private static ToolCallDescription Describe(AIFunctionArguments arguments) =>
        new("ask the user", null) { Details = arguments.TryGetValue("question", out var value) ? value?.ToString() : null };
}
