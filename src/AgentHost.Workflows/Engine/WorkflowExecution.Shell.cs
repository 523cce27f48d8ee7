using System.Text.Json.Nodes;
using AgentHost.Agent.Hooks;
using AgentHost.Agent.Questions;
using AgentHost.Hosting;
using AgentHost.Hosting.Text;
using AgentHost.Permissions;
using AgentHost.Permissions.Sandbox;
using AgentHost.Sdk.Events;
using AgentHost.Workflows.Expressions;
using AgentHost.Workflows.Model;

namespace AgentHost.Workflows.Engine;

/// <content>
/// Shell nodes: the command as written, its values as environment variables (<see cref="ShellVariables"/>), dying with
/// the host. A command with side effects is marked started in the store before it runs; a resume that finds the mark
/// (the process died while it ran) asks before running it again, unless the node is <c>idempotent</c>.
/// </content>
internal sealed partial class WorkflowExecution : IDisposable
{
    private readonly Lock _sandboxLock = new();
    private SandboxPolicy? _sandbox;
    private bool _sandboxNoticed;

    /// <summary>The most characters of a shell node's combined <c>output</c> kept (the last 16 KiB).</summary>
    public const int MaxShellOutput = 16 * 1024;

    /// <summary>The answer that runs a command that may have run already once more.</summary>
    public const string RunAgain = "run again";

    /// <summary>The answer that goes on without running it (its output says <c>skipped</c>).</summary>
    public const string Skip = "skip";

    private async Task<NodeResult> RunShellAsync(ShellNode node, WorkflowFrame frame, string path, CancellationToken cancellationToken)
    {
        if (!node.Idempotent && _started.Contains(path) && await MayHaveRunAsync(node, path, cancellationToken).ConfigureAwait(false) == Skip)
        {
            var skipped = new JsonObject
            {
                ["exit_code"] = null,
                ["passed"] = false,
                ["stdout"] = string.Empty,
                ["stderr"] = string.Empty,
                ["output"] = string.Empty,
                ["timed_out"] = false,
                ["skipped"] = true,
            };
            return new NodeResult(skipped, "skipped (it may have run before the process ended)");
        }

        var environment = ShellVariables.For(node, frame.Scope, template => Render(node, template, frame.Scope));
        if (!node.Idempotent)
        {
            await Store.MarkStartedAsync(Run.Id, path, node.Kind, CancellationToken.None).ConfigureAwait(false);
        }

        try
        {
            return await RunCommandAsync(node, environment, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WorkflowNodeFailedException or OperationCanceledException && !node.Idempotent)
        {
            // Its end is known (it failed, or this process killed it): a resume runs it again without asking.
            await Store.ClearStartedAsync(Run.Id, path, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// The run's sandbox policy for its shell nodes and its tool nodes' sandboxed tools: made at the first one (parallel
    /// branches share it), disposed with the execution (its network proxy and temporary folder with it).
    /// </summary>
    private SandboxPolicy RunSandbox()
    {
        lock (_sandboxLock)
        {
            return _sandbox ??= Service.CreateSandbox(Options.WorkspaceRoot, Run.Id, Options.Sandbox);
        }
    }

    /// <summary>Disposes the run's sandbox policy, when one was made.</summary>
    public void Dispose()
    {
        lock (_sandboxLock)
        {
            _sandbox?.Dispose();
            _sandbox = null;
        }
    }

    private async Task<NodeResult> RunCommandAsync(ShellNode node, Dictionary<string, string?> environment, CancellationToken cancellationToken)
    {
        // Like the shell tool's commands: in the sandbox, with the network only when a sandbox.network rule covers the line.
        var sandbox = await RunSandbox().ForAsync(node.Command, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (SandboxPolicy.NoticeFor(sandbox) is { } notice && !_sandboxNoticed)
        {
            _sandboxNoticed = true;
            Events.Publish(new WarningEvent("sandbox", notice));
        }

        // What the model drives: the environment built for it (never the agent's own keys and token).
        var result = await HookRunner.RunCommandAsync(
            node.Command, input: null, Options.WorkspaceRoot, environment, node.Timeout, delayedExpansion: true, sandbox, Service.ProcessEnvironment.ForModel, cancellationToken).ConfigureAwait(false);
        if (result.FailedToStart)
        {
            throw new WorkflowNodeFailedException($"{Where(node)}: the command could not start: {result.Stderr}");
        }

        var combined = result.Stdout + result.Stderr;
        var passed = result.ExitCode == 0;
        var output = new JsonObject
        {
            ["exit_code"] = result.ExitCode,
            ["passed"] = passed,
            ["stdout"] = result.Stdout,
            ["stderr"] = result.Stderr,
            ["output"] = combined.Length > MaxShellOutput ? combined[^MaxShellOutput..] : combined,
            ["timed_out"] = result.TimedOut,
            ["sandbox"] = result.Sandbox,
        };
        var summary = result.TimedOut ? $"timed out after {DurationText.Format(node.Timeout)}" : $"exit {result.ExitCode}";
        if (result.TimedOut)
        {
            // The node's time limit: its process tree was killed; a failure of kind timed_out (retry and catch handle it).
            throw new WorkflowNodeFailedException($"{Where(node)}: timed out after {DurationText.Format(node.Timeout)} (its timeout); the command's process tree was killed.")
            {
                Failure = WorkflowRetry.TimedOut,
                Output = output,
            };
        }

        if (!passed && node.FailOnError)
        {
            var tail = string.Join('\n', combined.TrimEnd().Split('\n').TakeLast(5));
            throw new WorkflowNodeFailedException($"{Where(node)}: the command failed ({summary}){(tail.Length > 0 ? ":\n" + tail : ".")}") { Output = output };
        }

        return new NodeResult(output, summary);
    }

    /// <summary>
    /// The node was running when the run's process ended: its command may have run, in part or in full. The answer given
    /// to resume, a person asked now, or (nobody to ask) the run waits with the question: <see cref="RunAgain"/> or
    /// <see cref="Skip"/>.
    /// </summary>
    private async Task<string> MayHaveRunAsync(ShellNode node, string path, CancellationToken cancellationToken)
    {
        string[] options = [RunAgain, Skip];
        var question = new HumanQuestion(
            $"{Run.Id}/{path}",
            $"{Where(node)} was running when the run's process ended (killed or crashed), so its command may already have run, in part or in full: {FirstLine(node.Command)}. "
            + $"Run it again ('{RunAgain}'), or go on without running it ('{Skip}')? Mark the node 'idempotent: true' if running it twice is harmless.")
        {
            Options = options,
            WorkflowRunId = Run.Id,
            NodeId = node.Id,
        };
        if (_answer is { } given && PendingPath == path)
        {
            _answer = null;
            return Pick(options, given) ?? throw new AgentHostException(
                ErrorKind.Usage, $"'{given}' is not an answer to \"{question.Text}\": answer '{RunAgain}' or '{Skip}' (agent workflow resume {Run.Id} --answer \"{RunAgain}\").");
        }

        if (Options.Questions is { CanAnswer: true } people)
        {
            Events.Publish(new WorkflowWaitingEvent(Run.Id, Definition.Name, path, question.Text) { Options = options });
            HumanAnswer? answer;
            using (Budget.PauseClock())
            {
                answer = await people.AskAsync(question, cancellationToken).ConfigureAwait(false);
            }

            return answer is not null && Pick(options, answer.Text) is { } picked
                ? picked
                : throw new WorkflowNodeFailedException($"{Where(node)}: may have run already, and '{answer?.Text}' is neither '{RunAgain}' nor '{Skip}'.");
        }

        await Store.SetWaitingAsync(Run.Id, WaitQuestionJson.Write(path, question, null), Budget.Counters, CancellationToken.None).ConfigureAwait(false);
        Events.Publish(new WorkflowWaitingEvent(Run.Id, Definition.Name, path, question.Text) { Options = options });
        throw new WorkflowWaitingException(question);
    }

    private static string? Pick(IReadOnlyList<string> options, string answer) =>
        options.FirstOrDefault(o => string.Equals(o, answer.Trim(), StringComparison.OrdinalIgnoreCase));
}
