using AgentHost.Cli.Interaction;
using AgentHost.Hosting.Security;
using AgentHost.Sdk.Events;

namespace AgentHost.Cli.Rendering;

/// <summary>
/// How an <c>agent run</c> ended, and what it prints after the events: the final answer (<c>-o final</c>), why it
/// stopped or its denials, the session and how to continue it; and its exit code. The same for a local run and a run on
/// a server (<c>--server</c>).
/// </summary>
/// <param name="SessionId">The session.</param>
/// <param name="Outcome">How the agent loop ended.</param>
/// <param name="Reason">Why it stopped, when not completed.</param>
/// <param name="FinalText">The final answer.</param>
/// <param name="Steps">Model steps taken.</param>
/// <param name="InputTokens">Input tokens of the run.</param>
/// <param name="OutputTokens">Output tokens of the run.</param>
internal sealed record RunClosing(string SessionId, RunOutcome Outcome, string? Reason, string? FinalText, int Steps, long InputTokens, long OutputTokens)
{
    /// <summary>Prints the closing lines for <paramref name="output"/> and returns the exit code.</summary>
    /// <param name="console">The console.</param>
    /// <param name="scrubber">Scrubs secrets from the answer and the reason.</param>
    /// <param name="output"><c>text</c>, <c>json</c> or <c>final</c>.</param>
    /// <param name="denials">The run's tool calls and denials.</param>
    /// <param name="continueWith">How to continue the session (<c>continue with: agent run --session ID "…"</c>).</param>
    /// <param name="ignoreDenials"><c>--ignore-denials</c>: a run where only some calls were denied exits 0, as before #47.</param>
    /// <returns>The exit code.</returns>
    public int Report(IConsoleInteraction console, SecretScrubber scrubber, string output, DenialTally denials, string continueWith, bool ignoreDenials = false)
    {
        if (output == "final" && FinalText is { } final)
        {
            console.WriteDataLine(scrubber.Scrub(final)); // -o final is for programs: exact unless at a terminal
        }

        var deniedOutcome = Outcome == RunOutcome.Completed && denials.CountsAsDenied(ignoreDenials);
        if (Outcome != RunOutcome.Completed)
        {
            var stopped = $"run stopped ({Outcome}): {scrubber.Scrub(Reason ?? "no reason given").TrimEnd().TrimEnd('.')}";
            // Text mode reports on stderr like the rest of its activity; final mode prints only errors there.
            if (output == "text")
            {
                console.WriteInfo($"{stopped}. Session {SessionId}; {continueWith}");
            }
            else if (output == "final")
            {
                console.WriteError($"{stopped}. Session {SessionId}; {continueWith}");
            }
        }
        else if (output != "json")
        {
            if (denials.Summary() is { } denied)
            {
                // The answer that follows denials may claim work that was never done: say so before anything else.
                console.WriteInfo((deniedOutcome ? "run finished, but " : string.Empty) + denied + ".");
            }

            if (output == "text")
            {
                console.WriteInfo($"session {SessionId} ({Steps} steps, {InputTokens} in / {OutputTokens} out tokens). {char.ToUpperInvariant(continueWith[0])}{continueWith[1..]}");
            }
        }

        var exitCode = Outcome switch
        {
            RunOutcome.Completed => deniedOutcome ? ExitCodes.Denied : ExitCodes.Success,
            RunOutcome.StepLimit or RunOutcome.LoopDetected or RunOutcome.CostLimit or RunOutcome.TimeLimit => ExitCodes.StepLimit,
            RunOutcome.Cancelled => ExitCodes.Cancelled,
            RunOutcome.ProviderError => ExitCodes.Provider,
            RunOutcome.Refused => ExitCodes.Refused,
            _ => ExitCodes.Failure,
        };
        return exitCode;
    }
}
