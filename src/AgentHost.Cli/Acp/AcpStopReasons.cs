using AgentHost.Agent.Engine;
using AgentHost.Sdk.Events;

namespace AgentHost.Cli.Acp;

/// <summary>How a turn's outcome maps to the stop reasons of ACP's <c>session/prompt</c> answer.</summary>
internal static class AcpStopReasons
{
    /// <summary>The stop reason of <paramref name="result"/>, or an error for a turn that failed.</summary>
    /// <exception cref="Common.JsonRpc.JsonRpcException">The provider or the run failed (the session stays consistent).</exception>
    public static string Of(AgentRunResult result) => Of(result.Outcome, result.Reason);

    /// <summary>The stop reason of a turn that ended with <paramref name="outcome"/> (a local run's, or a server's run.completed).</summary>
    /// <exception cref="Common.JsonRpc.JsonRpcException">The provider or the run failed (the session stays consistent).</exception>
    public static string Of(RunOutcome outcome, string? reason) => outcome switch
    {
        RunOutcome.Completed => result.CutAtOutputLimit ? "max_tokens" : "end_turn",
        RunOutcome.Cancelled => "cancelled",
        RunOutcome.Refused => "refusal",
        RunOutcome.StepLimit or RunOutcome.LoopDetected or RunOutcome.CostLimit or RunOutcome.TimeLimit => "max_turn_requests",
        RunOutcome.ProviderError => throw AcpErrors.Internal($"the model provider failed: {reason ?? "no detail"}"),
        _ => throw AcpErrors.Internal($"the run failed: {reason ?? "no detail"}"),
    };
}
