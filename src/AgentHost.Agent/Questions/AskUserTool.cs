using System.ComponentModel;
using System.Globalization;
using AgentHost.Agent.Skills;
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
        "Ask the user a question and wait for the answer. Use it only when you cannot proceed well without the user's decision or information " +
        "(an ambiguous requirement, a choice between approaches with real trade-offs). With 'options', the answer is one of them. " +
        "The user may not be present: the result then says so, and you decide on your own or stop and say what you need.";

    /// <summary>The start of the result when nobody answered.</summary>
    public const string NobodyPrefix = "No answer:";

    /// <summary>Creates the tool for a session.</summary>
    /// <param name="questions">The broker.</param>
    /// <param name="sessionId">The session that asks.</param>
    /// <param name="interactive">Whether a person is present in the session (else only prepared answers answer, nobody is waited for).</param>
    /// <returns>The tool, registered as plugin <c>kernel</c>.</returns>
    public static RegisteredCapability Create(QuestionBroker questions, string sessionId, bool interactive)
    {
        ArgumentNullException.ThrowIfNull(questions);
        ArgumentNullException.ThrowIfNull(sessionId);
        var sequence = 0;
        var function = AIFunctionFactory.Create(
            async ([Description("The question, complete and self-contained (the user may not have followed the conversation).")] string question,
                   [Description("Optional: the allowed answers, e.g. [\"yes\", \"no\"]. Leave out for a free-text answer.")] string[]? options = null,
                   CancellationToken cancellationToken = default) =>
            {
                if (string.IsNullOrWhiteSpace(question))
                {
                    throw new ArgumentException("'question' is empty: pass the question to ask the user.", nameof(question));
                }

                var id = string.Create(CultureInfo.InvariantCulture, $"q_{sessionId}_{Interlocked.Increment(ref sequence)}");
                var asked = new HumanQuestion(id, question.Trim())
                {
                    Options = [.. (options ?? []).Where(o => !string.IsNullOrWhiteSpace(o)).Select(o => o.Trim()).Distinct(StringComparer.Ordinal)],
                    SessionId = sessionId,
                };
                var outcome = await questions.AskForOutcomeAsync(asked, cancellationToken, headless: !interactive).ConfigureAwait(false);
                return outcome.Answer is { } answer ? answer.Text : Unanswered(outcome.Why);
            },
            new AIFunctionFactoryOptions { Name = Name, Description = Description });
        var tool = new ToolCapability(function, new ToolMetadata(ToolEffect.Read) { DescribeCall = Describe, Parallelizable = false });
        return new RegisteredCapability(tool, SkillTool.KernelPluginId, typeof(AskUserTool).Assembly.GetName().Version?.ToString(3) ?? "0.0.0");
    }

    /// <summary>The result when nobody answered.</summary>
    public static string Unanswered(string? why) =>
        $"{NobodyPrefix} {why ?? "nobody is present to answer"}. Proceed on your own judgement (say which assumption you made), or stop and say what you need from the user.";

    private static ToolCallDescription Describe(AIFunctionArguments arguments) =>
        new("ask the user", null) { Details = arguments.TryGetValue("question", out var value) ? value?.ToString() : null };
}
