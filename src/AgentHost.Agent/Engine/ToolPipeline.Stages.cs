using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentHost.Agent.Checkpoints;
using AgentHost.Agent.Telemetry;
using AgentHost.Agent.Tools;
using AgentHost.Hosting.Capabilities;
using AgentHost.Permissions;
using AgentHost.Permissions.Gate;
using AgentHost.Permissions.Rules;
using AgentHost.Permissions.Sandbox;
using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Events;
using AgentHost.Sdk.Tools;
using Microsoft.Extensions.AI;

namespace AgentHost.Agent.Engine;

/// <summary>The stages after lookup: parse, validate, permission, middleware and invocation.</summary>
public sealed partial class ToolPipeline
{
    private async ValueTask<StageResult> RunAsync(
        ToolCapability tool, RegisteredCapability entry, string argumentsJson, string redactedArguments, ToolCallContext context, CancellationToken cancellationToken)
    {
        JsonElement arguments;
        try
        {
            using var document = JsonDocument.Parse(argumentsJson);
            arguments = document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            return StageResult.Fail($"the arguments are not valid JSON ({ex.Message}). Send one JSON object that matches the tool's parameter schema.");
        }

        if (arguments.ValueKind != JsonValueKind.Object)
        {
            return StageResult.Fail($"the arguments must be a JSON object, but got {arguments.ValueKind.ToString().ToLowerInvariant()}.");
        }

        var schema = tool.Function.JsonSchema;
        var problems = ToolArgumentValidator.Validate(schema, arguments);
        if (problems.Count > 0)
        {
            return StageResult.Fail(
                $"invalid arguments for '{entry.Name}': {string.Join("; ", problems)}. Expected parameters: {ToolOutput.Preview(schema.GetRawText(), 2000)}");
        }

        if (Options.BeforeCall is { } beforeCall)
        {
            // Before anything of the call runs (its PreToolUse hooks included): the session's skill baseline.
            try
            {
                await beforeCall(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return StageResult.Cancelled;
            }
        }

        HookPermissionAnswer? hookAnswer = null;
        string? hookContext = null;
        if (Options.Hooks is { } hooks)
        {
            var pre = await hooks.BeforeToolAsync(entry.Name, argumentsJson, context, cancellationToken).ConfigureAwait(false);
            hookAnswer = pre.Permission;
            hookContext = pre.Context;
            if (pre.UpdatedInput is { } updated && hookAnswer is not { Decision: "deny" })
            {
                var replaced = ReplaceArguments(entry.Name, updated, schema, context.WorkspaceRoot, "PreToolUse");
                if (replaced.Error is { } error)
                {
                    return StageResult.Fail(error);
                }

                (argumentsJson, arguments) = (replaced.Json!, replaced.Arguments);
                redactedArguments = Scrubber.Scrub(argumentsJson);
            }
        }

        var functionArguments = new AIFunctionArguments
        {
            Services = Options.ServicesForPlugin?.Invoke(entry.PluginId),
            Context = new Dictionary<object, object?>(),
        };
        if (context.InSession)
        {
            functionArguments.Context[ToolContext.SessionIdKey] = context.SessionId;
        }

        if (context.ModelId is { } modelId)
        {
            functionArguments.Context[ToolContext.ModelIdKey] = modelId;
        }

        if (context.WorkspaceRoot is { } workspaceRoot)
        {
            functionArguments.Context[ToolContext.WorkspaceRootKey] = workspaceRoot;
        }

        if (context.DryRunByDefault)
        {
            functionArguments.Context[ToolContext.DryRunByDefaultKey] = true;
        }

        var progress = new ToolProgressReporter(this, context, entry.Name);
        functionArguments.Context[ToolContext.ProgressKey] = progress;

        foreach (var property in arguments.EnumerateObject())
        {
            functionArguments[property.Name] = property.Value;
        }

        var (verdict, description, sandbox) = await DecideAsync(tool, entry, functionArguments, argumentsJson, redactedArguments, context, hookAnswer, cancellationToken).ConfigureAwait(false);
        if (verdict is null || description is null)
        {
            return StageResult.Cancelled;
        }

        if (!verdict.Allowed)
        {
            // The fix is for the user; the model may pass it on ("rerun with --allow 'write(b.txt)'").
            var fix = verdict.Fix is { } how ? $" How the user can allow it: {how}." : string.Empty;
            return new StageResult(ToolCallStatus.Denied, null, $"permission denied: {verdict.Reason}. Do not retry this call; choose another approach or ask the user.{fix}")
            {
                Denial = new ToolDenial(verdict.Reason, verdict.Fix),
            };
        }

        if (verdict.UpdatedArgumentsJson is { } permissionUpdate && JsonNode.Parse(permissionUpdate) is JsonObject permissionInput)
        {
            var replaced = ReplaceArguments(entry.Name, permissionInput, schema, context.WorkspaceRoot, "PermissionRequest");
            if (replaced.Error is { } error)
            {
                return StageResult.Fail(error);
            }

            argumentsJson = replaced.Json!;
            foreach (var property in replaced.Arguments.EnumerateObject())
            {
                functionArguments[property.Name] = property.Value;
            }

            foreach (var name in functionArguments.Keys.Where(k => !replaced.Arguments.TryGetProperty(k, out _)).ToList())
            {
                functionArguments.Remove(name);
            }
        }

        if (sandbox is { Sandbox: { } processSandbox })
        {
            functionArguments.Context[ToolContext.SandboxKey] = processSandbox;
        }

        // What the tool starts for the model gets an environment built for it, never the agent's own (its keys, its token).
        functionArguments.Context[ToolContext.ProcessEnvironmentKey] = Options.ProcessEnvironment ?? SessionProcessEnvironment.Cli.ForModel;
        if (Options.EditorFiles is { } editorFiles)
        {
            // An editor's buffers (ACP's fs/*): the file tools read and write through it, within the checks above.
            functionArguments.Context[ToolContext.EditorFilesKey] = editorFiles;
        }

        if (Permissions.Gate.ReadAccessCheck.Create(_gate, context.SessionId, context.CallId, context.WorkspaceRoot) is { } readCheck)
        {
            // Multi-file tools ask it per file (docs/permissions.md, Reads); a search asks the second for files its walk listed.
            functionArguments.Context[ToolContext.ReadAccessKey] = (Func<string, ReadAccess>)readCheck.Check;
            functionArguments.Context[ToolContext.WalkedFileReadAccessKey] = (Func<string, ReadAccess>)readCheck.CheckWalkedFile;
            functionArguments.Context[ToolContext.WalkedTreeReadAccessKey] = (Func<string, string, ReadAccess>)readCheck.CheckWalkedTreeFile;
        }

        if (Options.BeforeWrite is { } beforeWrite && (tool.Metadata.Effect & ToolEffect.Write) != 0)
        {
            // The host's file checkpoints: the paths the call declared are recorded before the tool changes them.
            try
            {
                await beforeWrite(new ToolWriteNotice(context, entry.Name, description), cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return StageResult.Cancelled;
            }
#pragma warning disable CA1031 // A checkpoint that cannot be recorded must not stop the call: the user is told undo will not cover it.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogCheckpointFailed(ex, entry.Name, context.CallId);
                Publish(new WarningEvent("checkpoints", $"could not record the files '{entry.Name}' changes before it ran ({ToolFailures.MessageOf(ex)}); undo will not cover this call"));
            }
        }

        // What the call changes, for its event and stored record (the files, +added -removed).
        var edits = (tool.Metadata.Effect & ToolEffect.Write) != 0 ? CallEdits.Capture(description, context.WorkspaceRoot) : null;
        var invocation = new ToolInvocationContext(tool.Function, tool.Metadata, functionArguments, context.CallId)
        {
            SessionId = context.SessionId,
            WorkspaceRoot = context.WorkspaceRoot,
        };
        // The network proxy's refusals while the call ran are told to the model and the user with its result.
        var refusalMark = sandbox is { Sandbox.UsesNetworkProxy: true } ? Options.Sandbox?.NetworkRefusalMark : null;
        try
        {
            var invoked = await InvokeAsync(invocation, entry.Name, cancellationToken).ConfigureAwait(false);
            var (files, diffSummary) = edits is not null && invoked.Status == ToolCallStatus.Succeeded ? edits.Measure() : ([], null);
            var refusals = refusalMark is { } mark ? Options.Sandbox!.NetworkRefusalsSince(mark) : [];
            foreach (var refusal in refusals)
            {
                Publish(new WarningEvent("sandbox", Scrubber.Scrub(refusal.ToString())));
            }

            return invoked with
            {
                Invoked = true,
                ArgumentsJson = argumentsJson,
                Sandbox = sandbox?.Text,
                SandboxNote = RefusalNote(refusals),
                HookContext = hookContext,
                Files = files,
                DiffSummary = diffSummary,
            };
        }
        finally
        {
            progress.Close();
        }
    }

    /// <summary>The lines that tell the model and the user what the sandbox's network proxy refused during a call.</summary>
    private static string? RefusalNote(IReadOnlyList<SandboxNetworkRefusal> refusals) => refusals.Count == 0 ? null
        : "\n\n[sandbox] " + string.Join("\n[sandbox] ", refusals.Take(10).Select(r => r.ToString()))
            + (refusals.Count > 10 ? $"\n[sandbox] … and {refusals.Count - 10} more" : string.Empty);

    /// <summary>A hook's <c>updatedInput</c> as the call's arguments, validated against the tool's schema again.</summary>
    private static (string? Json, JsonElement Arguments, string? Error) ReplaceArguments(string tool, JsonObject updated, JsonElement schema, string? workspaceRoot, string hookEvent)
    {
        var json = Hooks.HookToolNames.FromHookInput(tool, updated, schema, workspaceRoot);
        using var document = JsonDocument.Parse(json);
        var arguments = document.RootElement.Clone();
        var problems = ToolArgumentValidator.Validate(schema, arguments);
        return problems.Count > 0
            ? (null, arguments, $"a {hookEvent} hook replaced the arguments of '{tool}' with invalid ones: {string.Join("; ", problems)}. The call did not run; fix the hook's updatedInput.")
            : (json, arguments, null);
    }

    private async ValueTask<(PermissionVerdict? Verdict, ToolCallDescription? Description, CallSandbox? Sandbox)> DecideAsync(
        ToolCapability tool,
        RegisteredCapability entry,
        AIFunctionArguments arguments,
        string argumentsJson,
        string redactedArguments,
        ToolCallContext context,
        HookPermissionAnswer? hookAnswer,
        CancellationToken cancellationToken)
    {
        var description = await DescribeAsync(tool, entry.Name, arguments, redactedArguments, cancellationToken).ConfigureAwait(false);
        if (description is null)
        {
            return (null, null, null);
        }

        CallSandbox? sandbox = null;
        if (tool.Metadata.Sandboxed && Options.Sandbox is { } sandboxes)
        {
            try
            {
                var processSandbox = await sandboxes.ForAsync(description.Subject, description.WorkingDirectory, cancellationToken).ConfigureAwait(false);
                sandbox = new CallSandbox(processSandbox, SandboxPolicy.Describe(processSandbox));
                if (SandboxPolicy.NoticeFor(processSandbox) is { } notice && Interlocked.Exchange(ref _sandboxNoticed, 1) == 0)
                {
                    Publish(new WarningEvent("sandbox", notice));
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return (null, null, null);
            }
        }

        var request = new ToolPermissionRequest(context.SessionId, context.CallId, entry.Name, entry.PluginId, tool.Metadata.Effect, description)
        {
            ArgumentsJson = argumentsJson,
            WorkspaceRoot = context.WorkspaceRoot,
            Hook = hookAnswer,
            Sandbox = sandbox?.Sandbox,
            Sandboxed = sandbox is not null,
        };
        PermissionVerdict verdict;
        using var activity = Telemetry.StartPermission(entry.Name);
        try
        {
            verdict = await _gate.DecideAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            AgentTelemetry.EndPermission(activity, null);
            return (null, null, null);
        }
#pragma warning disable CA1031 // A failing gate denies the call (fail closed); it must not end the run.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogGateFailed(ex, entry.Name, context.CallId);
            verdict = PermissionVerdict.Deny(ToolFailures.IsBug(ex)
                ? "internal error in the permission gate (denied to be safe; logged: see 'agent logs')"
                : $"the permission gate failed ({ToolFailures.MessageOf(ex)}); denied to be safe");
        }

        var subject = description.Subject is null ? null : ToolOutput.Preview(Scrubber.Scrub(PermissionSubject.OneLine(description.Subject)!), Options.PreviewCharacters);
        Publish(PermissionDecisions.Event(context.SessionId, context.CallId, entry.Name, description.Action, subject, verdict) with { Sandbox = sandbox?.Text });
        AgentTelemetry.EndPermission(activity, verdict);
        return (verdict, description, sandbox);
    }

    /// <summary>A sandboxed tool's call under the run's sandbox policy: its sandbox (none when the mode is off) and how that reads.</summary>
    private sealed record CallSandbox(ProcessSandbox? Sandbox, string Text);

    /// <summary>The call's description (awaiting an async one with the call's token), or <see langword="null"/> when the call was cancelled meanwhile.</summary>
    private static async ValueTask<ToolCallDescription?> DescribeAsync(
        ToolCapability tool, string name, AIFunctionArguments arguments, string redactedArguments, CancellationToken cancellationToken)
    {
        if (tool.Metadata.DescribeCallAsync is { } describeAsync)
        {
            try
            {
                return await describeAsync(arguments, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return null;
            }
#pragma warning disable CA1031 // A broken description falls back to the default one; the gate still decides.
            catch (Exception)
#pragma warning restore CA1031
            {
                return new ToolCallDescription(name, redactedArguments);
            }
        }

        if (tool.Metadata.DescribeCall is { } describe)
        {
            try
            {
                return describe(arguments);
            }
#pragma warning disable CA1031 // A broken description falls back to the default one; the gate still decides.
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }

        return new ToolCallDescription(name, redactedArguments);
    }

    /// <summary>How long a tool may take to stop after its time limit cancelled it, before the pipeline abandons it.</summary>
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(1);

    private async ValueTask<StageResult> InvokeAsync(ToolInvocationContext invocation, string name, CancellationToken cancellationToken)
    {
        var timeout = invocation.Metadata.Timeout is { } limit && (limit > TimeSpan.Zero || limit == Timeout.InfiniteTimeSpan)
            ? limit
            : Options.DefaultTimeout;
        using var timeoutSource = new CancellationTokenSource(timeout, Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
        var chain = Chain();
        Task<object?>? pending = null;
        try
        {
            // On a pool thread, and awaited with WaitAsync: a tool that blocks its thread (Thread.Sleep, synchronous
            // I/O) or ignores its token still cannot hold the run past Ctrl+C or its time limit.
            // The activity is started here, not in the pool thread's delegate: an async delegate would be one more
            // state machine for the first call to compile (it includes the hop to the pool thread).
            object? result;
            using (Telemetry.StartToolExecution(name))
            {
                pending = Task.Run(() => chain(invocation, linked.Token).AsTask(), linked.Token);
                result = await pending.WaitAsync(linked.Token).ConfigureAwait(false);
            }

            return result switch
            {
                ToolResult { Error: { } failure } => new StageResult(ToolCallStatus.Failed, result, failure),
                ToolResult toolResult => new StageResult(ToolCallStatus.Succeeded, result, null)
                {
                    Structured = ToolOutput.SerializeStructured(toolResult, invocation.Tool.JsonSerializerOptions),
                },
                _ => new StageResult(ToolCallStatus.Succeeded, result, null),
            };
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return StageResult.Cancelled;
        }
        catch (OperationCanceledException) when (timeoutSource.IsCancellationRequested)
        {
            // A tool that honours its token stops within moments of the cancellation; one that blocks does not.
            if (pending is { IsCompleted: false })
            {
                await ((Task)pending).WaitAsync(StopGrace, Time, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            var stillRunning = pending is { IsCompleted: false };
            LogToolTimedOut(name, invocation.CallId, FormatDuration(timeout), stillRunning);
            return new StageResult(
                ToolCallStatus.TimedOut,
                null,
                stillRunning
                    ? $"'{name}' did not finish within {FormatDuration(timeout)}; the host stopped waiting for it, but it may still be running in the background. " +
                      "Do not assume it had no effect: check its results before retrying. Narrow the request (smaller input, fewer files) or try another approach."
                    : $"'{name}' did not finish within {FormatDuration(timeout)} and was stopped. Narrow the request (smaller input, fewer files) or try another approach.");
        }
#pragma warning disable CA1031 // A failing tool becomes an error result for the model, never a crash.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return StageResult.Fail(ToolFailed(name, invocation.CallId, ex));
        }
    }

    /// <summary>The plugins' middleware chain inside the kernel's own middleware (<see cref="ToolPipelineOptions.Middleware"/>).</summary>
    private ToolInvocationHandler Chain()
    {
        var chain = GetToolSet().Chain;
        for (var i = Options.Middleware.Count - 1; i >= 0; i--)
        {
            var layer = Options.Middleware[i];
            var next = chain;
            chain = (context, cancellationToken) => layer.InvokeAsync(context, next, cancellationToken);
        }

        return chain;
    }

    private static string FormatDuration(TimeSpan duration) =>
        duration.TotalSeconds >= 1
            ? duration.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture) + " s"
            : duration.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture) + " ms";
}
