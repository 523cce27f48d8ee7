using AgentHost.Agent.Telemetry;
using AgentHost.Agent.Tools;
using AgentHost.Hosting.Capabilities;
using AgentHost.Hosting.Security;
using AgentHost.Hosting.Text;
using AgentHost.Permissions;
using AgentHost.Permissions.Gate;
using AgentHost.Permissions.Sandbox;
using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Events;
using AgentHost.Sdk.Tools;
using Microsoft.Extensions.AI;

namespace AgentHost.Agent.Engine;

/// <summary>
/// The one path every tool call takes, from the agent loop or from <c>agent tool run</c>: find the tool (plain or
/// qualified name), parse and validate the arguments against its JSON schema, ask the permission gate, run the
/// middleware chain and the tool under a time limit, turn the result into capped text for the model.
/// </summary>
/// <remarks>
/// Never throws for a bad call: unknown tools, malformed or invalid arguments, denials, failures, time-outs and
/// cancellation all come back as a <see cref="ToolCallOutcome"/> whose text tells the model what happened.
/// Publishes <see cref="ToolCallStartedEvent"/>, <see cref="PermissionDecidedEvent"/> and
/// <see cref="ToolCallCompletedEvent"/> (arguments and previews redacted), and the tool's <see cref="ToolCallProgressEvent"/>s.
/// A tool that returns <see cref="ToolResult.Failure"/> ends as failed without throwing. Thread-safe; calls may run concurrently.
/// </remarks>
public sealed partial class ToolPipeline : IDisposable
{
    private readonly CapabilityRegistry _registry;
    private readonly IEventBus _events;
    private readonly IToolPermissionGate _gate;
    private readonly Microsoft.Extensions.Logging.ILogger _logger;
    private readonly Lock _toolSetLock = new();
    private readonly RegisteredCapability? _toolSearch;
    private readonly List<string> _loaded = [];

    /// <summary>Whether the notice that the sandbox cannot run here was published (once per pipeline).</summary>
    private int _sandboxNoticed;
    private ToolSet? _toolSet;

    /// <summary>Creates a pipeline over the registry.</summary>
    /// <param name="registry">Where tools and tool middleware are found.</param>
    /// <param name="events">Where tool and permission events are published.</param>
    /// <param name="permissionGate">Decides every call.</param>
    /// <param name="scrubber">Redacts secrets from event payloads.</param>
    /// <param name="timeProvider">The clock (time limits, durations, event timestamps).</param>
    /// <param name="options">Limits; the defaults when <see langword="null"/>.</param>
    /// <param name="telemetry">Metrics and traces; <see cref="AgentTelemetry.Shared"/> when <see langword="null"/>.</param>
    public ToolPipeline(
        CapabilityRegistry registry,
        IEventBus events,
        IToolPermissionGate permissionGate,
        SecretScrubber scrubber,
        TimeProvider timeProvider,
        ToolPipelineOptions? options = null,
        AgentTelemetry? telemetry = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(permissionGate);
        ArgumentNullException.ThrowIfNull(scrubber);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _registry = registry;
        _events = events;
        _gate = permissionGate;
        Scrubber = scrubber;
        Time = timeProvider;
        Options = options ?? new ToolPipelineOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(Options.MaxOutputCharacters, 256, nameof(options));
        Telemetry = telemetry ?? AgentTelemetry.Shared;
        _logger = Microsoft.Extensions.Logging.LoggerFactoryExtensions.CreateLogger<ToolPipeline>(Options.LoggerFactory);
        _toolSearch = Options.Deferral is null ? null : ToolSearchTool.Create(this);
        _registry.Changed += OnRegistryChanged;
    }

    /// <summary>The limits.</summary>
    public ToolPipelineOptions Options { get; }

    internal SecretScrubber Scrubber { get; }

    internal TimeProvider Time { get; }

    internal AgentTelemetry Telemetry { get; }

    /// <summary>The current tools and middleware; recomputed only after the registry changes.</summary>
    /// <returns>The snapshot.</returns>
    public ToolSet GetToolSet() => Volatile.Read(ref _toolSet) ?? Rebuild();

    /// <summary>
    /// The deferred tools loaded so far (by <c>tool_search</c>, by a call of the tool, by an active skill), in the order
    /// they were loaded: the model is given their definitions after the others, so loading one leaves the earlier
    /// requests' tools a byte-identical prefix.
    /// </summary>
    /// <returns>The names.</returns>
    public IReadOnlyList<string> GetLoadedTools()
    {
        lock (_loaded)
        {
            return [.. _loaded];
        }
    }

    /// <summary>Loads deferred tools: from the next model request on, the model is given their definitions.</summary>
    /// <param name="names">Plain tool names; names that are not deferred tools of the current set are ignored.</param>
    /// <returns>The names that were not loaded before.</returns>
    public IReadOnlyList<string> LoadTools(IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var toolSet = GetToolSet();
        var added = new List<string>();
        lock (_loaded)
        {
            foreach (var name in names)
            {
                if (toolSet.FindDeferred(name) is not null && !_loaded.Contains(name, StringComparer.Ordinal))
                {
                    _loaded.Add(name);
                    added.Add(name);
                }
            }
        }

        return added;
    }

    /// <summary>The deferred tools some names select: plain names, <c>plugin/name</c>, or a prefix ending in <c>*</c>.</summary>
    /// <param name="toolSet">The tool set.</param>
    /// <param name="names">The names.</param>
    /// <returns>The plain names of the deferred tools selected.</returns>
    internal static IEnumerable<string> Matching(ToolSet toolSet, IReadOnlyList<string> names)
    {
        foreach (var written in names)
        {
            var name = written[(written.IndexOf('/', StringComparison.Ordinal) + 1)..];
            if (name.EndsWith('*'))
            {
                foreach (var tool in toolSet.Deferred.Where(t => t.Name.StartsWith(name[..^1], StringComparison.Ordinal)))
                {
                    yield return tool.Name;
                }
            }
            else
            {
                yield return name;
            }
        }
    }

    /// <summary>
    /// The declarations a model request offers: <see cref="ToolSet.Declarations"/>, then the loaded deferred tools in
    /// load order (see <see cref="GetLoadedTools"/>).
    /// </summary>
    /// <param name="toolSet">The tool set.</param>
    /// <param name="loaded">The loaded tools' names.</param>
    /// <returns>The declarations.</returns>
    internal static IReadOnlyList<AIFunctionDeclaration> Offered(ToolSet toolSet, IReadOnlyList<string> loaded)
    {
        if (loaded.Count == 0)
        {
            return toolSet.Declarations;
        }

        var offered = new List<AIFunctionDeclaration>(toolSet.Declarations);
        foreach (var name in loaded)
        {
            if (toolSet.FindDeferred(name) is { } tool)
            {
                offered.Add(tool.Declaration);
            }
        }

        return offered;
    }

    /// <summary>
    /// Loads again what an earlier conversation of the session had loaded: the deferred tools it called, and what its
    /// <c>tool_search</c> calls selected (the same query selects the same tools).
    /// </summary>
    /// <param name="history">The conversation so far.</param>
    internal void RestoreLoadedTools(IEnumerable<ChatMessage> history)
    {
        if (_toolSearch is null)
        {
            return;
        }

        var toolSet = GetToolSet();
        foreach (var call in history.SelectMany(m => m.Contents).OfType<FunctionCallContent>())
        {
            if (call.Name == ToolSearchTool.ToolName)
            {
                if (call.Arguments?.TryGetValue("query", out var query) == true && query is not null)
                {
                    LoadTools(ToolSearchTool.Select(toolSet.Deferred, ToolJson.ResultToText(query)).Select(t => t.Name));
                }
            }
            else
            {
                LoadTools([call.Name]);
            }
        }
    }

    /// <summary>Whether calls of <paramref name="toolName"/> may run in parallel with other such calls.</summary>
    /// <param name="toolName">The tool name as the model used it.</param>
    /// <returns><see cref="ToolMetadata.Parallelizable"/>, else whether the tool only reads (<see cref="ToolEffect.None"/> or <see cref="ToolEffect.Read"/>).</returns>
    public bool IsParallelizable(string toolName)
    {
        if (string.IsNullOrWhiteSpace(toolName) || FindTool(toolName)?.Capability is not ToolCapability tool)
        {
            return true;
        }

        return tool.Metadata.Parallelizable ?? (tool.Metadata.Effect & ~ToolEffect.Read) == ToolEffect.None;
    }

    /// <summary>Runs one call the model made.</summary>
    /// <param name="call">The call (its arguments may have failed to parse: see <see cref="FunctionCallContent.Exception"/>).</param>
    /// <param name="context">The session and step.</param>
    /// <param name="cancellationToken">Cancellation (Ctrl+C): the call ends as <see cref="ToolCallStatus.Cancelled"/>.</param>
    /// <returns>The outcome.</returns>
    public ValueTask<ToolCallOutcome> InvokeAsync(FunctionCallContent call, ToolCallContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(call);
        var json = ToolJson.ArgumentsToJson(call, out var error);
        return InvokeCoreAsync(call.Name, json, error, context, cancellationToken);
    }

    /// <summary>Runs one call given as a tool name and JSON arguments (as <c>agent tool run NAME --args JSON</c> does).</summary>
    /// <param name="toolName">The tool's plain or qualified (<c>plugin-id/name</c>) name.</param>
    /// <param name="argumentsJson">A JSON object; <see langword="null"/> or empty means <c>{}</c>.</param>
    /// <param name="context">The session and call id.</param>
    /// <param name="cancellationToken">Cancellation: the call ends as <see cref="ToolCallStatus.Cancelled"/>.</param>
    /// <returns>The outcome.</returns>
    public ValueTask<ToolCallOutcome> InvokeAsync(string toolName, string? argumentsJson, ToolCallContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(toolName);
        return InvokeCoreAsync(toolName, string.IsNullOrWhiteSpace(argumentsJson) ? "{}" : argumentsJson, null, context, cancellationToken);
    }

    /// <summary>Forgets the current tool set so the next step recomputes it (e.g. after the permission mode changed).</summary>
    public void InvalidateToolSet() => OnRegistryChanged(this, null);

    /// <inheritdoc />
    public void Dispose() => _registry.Changed -= OnRegistryChanged;

    internal async ValueTask<ToolCallOutcome> InvokeCoreAsync(string toolName, string? argumentsJson, string? argumentsError, ToolCallContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var started = Time.GetTimestamp();
        using var activity = Telemetry.StartToolCall(toolName, context.CallId);
        var entry = string.IsNullOrWhiteSpace(toolName) ? null : FindTool(toolName);
        var tool = entry?.Capability as ToolCapability;
        var name = entry?.Name ?? toolName;
        if (entry is not null && _toolSearch is not null)
        {
            // A deferred tool the model calls without loading it is loaded too: its next call has its definition.
            LoadTools([entry.Name]);
        }
        var redactedArguments = Scrubber.Scrub(argumentsJson ?? "{}");
        await PublishAsync(
            new ToolCallStartedEvent(context.SessionId, context.Step, context.CallId, name, entry?.PluginId, ToolOutput.Preview(redactedArguments, Options.MaxEventArgumentCharacters)),
            cancellationToken).ConfigureAwait(false);

        var result = cancellationToken.IsCancellationRequested ? StageResult.Cancelled
            : tool is null || entry is null ? StageResult.Fail(UnknownTool(toolName))
            : argumentsError is not null ? StageResult.Fail(argumentsError)
            : await RunAsync(tool, entry, argumentsJson!, redactedArguments, context, cancellationToken).ConfigureAwait(false);

        var text = result.Status == ToolCallStatus.Succeeded ? ToolOutput.ResultText(result.Raw, result.Structured) : "Error: " + result.Error;
        if (result.Status == ToolCallStatus.Succeeded && tool is not null && (tool.Metadata.Effect & ToolEffect.Read) != 0)
        {
            text = ReadCap.Apply(text, Options.MaxReadBytes?.Invoke());
        }

        text = AgentHost.Hosting.Text.TextCaps.HeadAndTail(text, Options.MaxOutputCharacters, out var truncated);
        if (result.Invoked && Options.Hooks is { } hooks && entry is not null)
        {
            text += await hooks.AfterToolAsync(entry.Name, result.ArgumentsJson ?? "{}", result.Status, text, result.Structured, context, cancellationToken).ConfigureAwait(false);
        }

        if (result.HookContext is { Length: > 0 } hookContext)
        {
            text += hookContext;
        }

        if (result.SandboxNote is { Length: > 0 } sandboxNote)
        {
            text += Scrubber.Scrub(sandboxNote);
        }

        var duration = Time.GetElapsedTime(started);
        var error = result.Error is null ? null : Scrubber.Scrub(result.Error);
        var preview = result.Raw is ToolResult { Summary: { Length: > 0 } summary } ? summary : text;
        Publish(new ToolCallCompletedEvent(
            context.SessionId, context.Step, context.CallId, name, result.Status, ToolOutput.Preview(Scrubber.Scrub(preview), Options.PreviewCharacters), duration.TotalMilliseconds)
        {
            Error = error,
            Sandbox = result.Sandbox,
            Files = result.Files ?? [],
            DiffSummary = result.DiffSummary,
        });
        Telemetry.RecordToolCall(name, result.Status, duration);
        activity?.SetTag("agenthost.tool.status", AgentTelemetry.StatusName(result.Status));
        if (result.Status is ToolCallStatus.Failed or ToolCallStatus.TimedOut)
        {
            activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error);
            activity?.SetTag("error.type", AgentTelemetry.StatusName(result.Status));
        }
        return new ToolCallOutcome(result.Status, text, result.Raw, error, duration)
        {
            Tool = name,
            Plugin = entry?.PluginId,
            ArgumentsJson = redactedArguments,
            Truncated = truncated,
            Structured = result.Structured,
            Files = result.Files ?? [],
            DiffSummary = result.DiffSummary,
            Denial = result.Denial is { } denial ? denial with { Reason = Scrubber.Scrub(denial.Reason), Fix = denial.Fix is null ? null : Scrubber.Scrub(denial.Fix) } : null,
        };
    }

    /// <summary>Publishes one progress update of a running call (called by its <see cref="ToolProgressReporter"/>).</summary>
    internal void PublishProgress(ToolCallContext context, string tool, ToolProgress progress) =>
        Publish(new ToolCallProgressEvent(
            context.SessionId,
            context.Step,
            context.CallId,
            tool,
            ToolOutput.Preview(ToolOutput.OneLine(Scrubber.Scrub(progress.Message)), Options.PreviewCharacters),
            progress.Fraction is { } fraction && !double.IsNaN(fraction) ? Math.Clamp(fraction, 0, 1) : null));

    private void Publish<TEvent>(TEvent agentEvent)
        where TEvent : AgentEvent => _events.Publish(agentEvent with { Timestamp = Time.GetUtcNow() });

    /// <summary>Publishes, waiting while a front end is behind; cancellation only stops the wait (the call then ends as cancelled).</summary>
    private async ValueTask PublishAsync<TEvent>(TEvent agentEvent, CancellationToken cancellationToken)
        where TEvent : AgentEvent
    {
        try
        {
            await _events.PublishAsync(agentEvent with { Timestamp = Time.GetUtcNow() }, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl+C while the output was backed up: the call is reported as cancelled below.
        }
    }

    private string UnknownTool(string toolName)
    {
        if (!string.IsNullOrWhiteSpace(toolName) && Options.WhyUnavailable?.Invoke(toolName) is { Length: > 0 } reason)
        {
            return reason;
        }

        var names = GetToolSet().Declarations.Select(d => d.Name).ToList();
        var close = CloseMatches.Find(toolName ?? string.Empty, names);
        var available = names.Count == 0 ? "no tools are available"
            : names.Count <= 50 ? "available tools: " + string.Join(", ", names)
            : $"{names.Count} tools are available";
        return $"unknown tool '{toolName}'.{CloseMatches.Hint(close)} ({available})";
    }

    private ToolSet Rebuild()
    {
        lock (_toolSetLock)
        {
            return _toolSet ??= ToolSet.Create(_registry, Options.OfferTool, Options.SchemaCache, Options.KernelTools, Options.OfferedNames, Options.Deferral, _toolSearch, Options.HideTool);
        }
    }

    /// <summary>A tool by name: the kernel's tools first (the session's <c>skill</c>, MCP servers' tools), then the plugins'.</summary>
    /// <param name="toolName">The tool's name or qualified name.</param>
    /// <returns>The tool, or <see langword="null"/>.</returns>
    public RegisteredCapability? FindTool(string toolName) => FindKernelTool(toolName) ?? _registry.Find(CapabilityKind.Tool, toolName);

    private RegisteredCapability? FindKernelTool(string toolName) =>
        _toolSearch is not null && (toolName == _toolSearch.Name || toolName == _toolSearch.QualifiedName)
            ? _toolSearch
            : Options.KernelTools.FirstOrDefault(t => t.Name == toolName || t.QualifiedName == toolName);

    private void OnRegistryChanged(object? sender, CapabilityChange? change)
    {
        lock (_toolSetLock)
        {
            _toolSet = null;
        }
    }

    private readonly record struct StageResult(ToolCallStatus Status, object? Raw, string? Error)
    {
        /// <summary>Whether the tool was invoked (so PostToolUse or PostToolUseFailure hooks run).</summary>
        public bool Invoked { get; init; }

        /// <summary>The arguments the tool ran with (after a hook's <c>updatedInput</c>), when it was invoked.</summary>
        public string? ArgumentsJson { get; init; }

        /// <summary>How the call was sandboxed (<see cref="SandboxPolicy.Describe"/>), for a sandboxed tool under a sandbox policy.</summary>
        public string? Sandbox { get; init; }

        /// <summary>What the sandbox's network proxy refused while the call ran, for the model and the user.</summary>
        public string? SandboxNote { get; init; }

        /// <summary>Context the PreToolUse hooks added for the model.</summary>
        public string? HookContext { get; init; }

        /// <summary>The serialized structured value of a <see cref="ToolResult"/>, when any.</summary>
        public System.Text.Json.JsonElement? Structured { get; init; }

        /// <summary>The files a write tool's call changed (relative to the workspace).</summary>
        public IReadOnlyList<string>? Files { get; init; }

        /// <summary>The lines those changes added and removed (<c>+12 -3</c>), when known.</summary>
        public string? DiffSummary { get; init; }

        /// <summary>Why the permission check refused the call and how the user can allow it, when it did.</summary>
        public ToolDenial? Denial { get; init; }

        public static StageResult Cancelled => new(ToolCallStatus.Cancelled, null, "cancelled by user");

        public static StageResult Fail(string error) => new(ToolCallStatus.Failed, null, error);
    }
}
