using AgentHost.Agent.Engine;
using AgentHost.Sdk.Events;

namespace AgentHost.Cli.Acp;

/// <summary>How a turn's outcome maps to the stop reasons of ACP's <c>session/prompt</c> answer.</summary>
internal static class AcpStopReasons
{
    /// <summary>The stop reason of <paramref name="result"/>, or an error for a turn that failed.</summary>
    /// <exception cref="Common.JsonRpc.JsonRpcException">The provider or the run failed (the session stays consistent).</exception>
    public static string Of(AgentRunResult result) => Of(result.Outcome, result.Reason, result.CutAtOutputLimit);

    /// <summary>The stop reason of a turn that ended with <paramref name="outcome"/> (a local run's, or a server's run.completed).</summary>
    /// <param name="outcome">How the turn ended.</param>
    /// <param name="reason">Why, when it did not complete.</param>
    /// <param name="cutAtOutputLimit">Whether the final answer was cut by the model's output limit (known for a local run).</param>
    /// <exception cref="Common.JsonRpc.JsonRpcException">The provider or the run failed (the session stays consistent).</exception>
    public static string Of(RunOutcome outcome, string? reason, bool cutAtOutputLimit = false) => outcome switch
    {
        RunOutcome.Completed => cutAtOutputLimit ? "max_tokens" : "end_turn",
        RunOutcome.Cancelled => "cancelled",
        RunOutcome.Refused => "refusal",
        RunOutcome.StepLimit or RunOutcome.LoopDetected or RunOutcome.CostLimit or RunOutcome.TimeLimit => "max_turn_requests",
        RunOutcome.ProviderError => throw AcpErrors.Internal($"the model provider failed: {reason ?? "no detail"}"),
        _ => throw AcpErrors.Internal($"the run failed: {reason ?? "no detail"}"),
    };
}
