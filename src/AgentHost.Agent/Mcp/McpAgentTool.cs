using System.ComponentModel;
using System.Text.Json;
using AgentHost.Common.Processes;
using AgentHost.Hosting.Capabilities;
using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Tools;
using Microsoft.Extensions.AI;

namespace AgentHost.Agent.Mcp;

/// <summary>
/// "Run a prompt as an agent" as a tool of <c>agent mcp serve --agent-tool</c>: <c>run_agent</c> runs the task as a
/// headless <c>agent run</c> in the served project (its own session, stored and resumable; the served plugins, rules
/// and model), and gives back the final answer with the session id. A separate process per call: the agent's own
/// tool calls go through its own permission gate (headless: what would ask is denied with the fix, which comes back
/// in the result), and cancelling the call kills the run. The tool itself runs something, so the server's gate decides
/// it like any tool that runs a program.
/// </summary>
public static class McpAgentTool
{
    /// <summary>The tool's name.</summary>
    public const string Name = "run_agent";

    /// <summary>The most time one run may take.</summary>
    public static TimeSpan Timeout { get; } = TimeSpan.FromMinutes(30);

    /// <summary>The tool.</summary>
    /// <param name="agent">How to start <c>agent</c>: the executable and any arguments before the command (<c>dotnet agent.dll</c>).</param>
    /// <param name="root">The served project root (the run's working directory).</param>
    /// <param name="runOptions">Options every run gets (<c>--plugin</c>, <c>--allow</c>, <c>-m</c>, …).</param>
    /// <returns>The capability, registered as a kernel tool.</returns>
    public static RegisteredCapability Create(IReadOnlyList<string> agent, string root, IReadOnlyList<string> runOptions)
    {
        ArgumentNullException.ThrowIfNull(agent);
        var function = AIFunctionFactory.Create(
            ([Description("The task, as you would give it to 'agent run'.")] string prompt, CancellationToken cancellationToken = default) =>
                RunAsync(agent, root, runOptions, prompt, cancellationToken),
            Name,
            "Runs a task as a headless AgentHost agent in this project — its own session, model and tools under the project's permission rules (what would ask is denied) — and returns its final answer and the session id.");
        var metadata = new ToolMetadata(ToolEffect.Execute)
        {
            Timeout = Timeout,
            DescribeCall = arguments => new ToolCallDescription("run an agent on", arguments.TryGetValue("prompt", out var prompt) ? $"\"{prompt}\"" : null),
        };
        return new RegisteredCapability(new ToolCapability(function, metadata), "agent", typeof(McpAgentTool).Assembly.GetName().Version?.ToString(3) ?? "0.0.0");
    }

    private static async Task<string> RunAsync(IReadOnlyList<string> agent, string root, IReadOnlyList<string> runOptions, string prompt, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(prompt))
        {
            throw new ToolException("give the task as 'prompt'.");
        }

        var spec = new ProcessSpec(agent[0], [.. agent.Skip(1), "run", prompt, "--output", "json", .. runOptions])
        {
            WorkingDirectory = root,
            Purpose = "run_agent: a headless agent run",
        };
        ProcessOutput result;
        try
        {
            result = await ProcessLauncher.RunAsync(spec, Timeout, input: null, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (ProgramStartException ex)
        {
            throw new ToolException($"the agent could not start: {ex.Message}", ex);
        }

        // The run's events (-o json): the session id is on each, the final answer on run.completed.
        string? session = null;
        string? answer = null;
        foreach (var line in result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            try
            {
                using var document = JsonDocument.Parse(line);
                var @event = document.RootElement;
                if (@event.TryGetProperty("sessionId", out var id) && id.ValueKind == JsonValueKind.String)
                {
                    session = id.GetString();
                }

                if (@event.TryGetProperty("type", out var type) && type.ValueEquals("run.completed") && @event.TryGetProperty("finalText", out var text))
                {
                    answer = text.GetString();
                }
            }
            catch (JsonException)
            {
                // Not an event line.
            }
        }

        var resume = session is null ? string.Empty : $"\n\n[session {session}: continue it with agent run --session {session} \"…\"]";
        if (result.TimedOut)
        {
            throw new ToolException($"the agent did not finish within {Timeout.TotalMinutes:0} minutes.{resume}");
        }

        if (result.ExitCode != 0 || answer is null)
        {
            // What the run said at the end (its error, the denials with their fixes).
            var said = string.Join('\n', result.Error.Split('\n').Select(l => l.TrimEnd()).Where(l => l.Length > 0).TakeLast(12));
            throw new ToolException($"the agent run ended with exit code {result.ExitCode}{(said.Length > 0 ? ": " + said : string.Empty)}{resume}");
        }

        return answer.Trim() + resume;
    }
}
