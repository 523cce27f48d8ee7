using AgentHost.Agent.Tools;
using AgentHost.Hosting.Capabilities;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Caches;
using AgentHost.Sdk.Events;

namespace AgentHost.Agent.Engine;

/// <summary>Limits applied by the <see cref="ToolPipeline"/>.</summary>
public sealed record ToolPipelineOptions
{
    /// <summary>The per-call time limit for tools that do not set <see cref="Sdk.Tools.ToolMetadata.Timeout"/>: 2 minutes.</summary>
    public TimeSpan DefaultTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>The most characters of tool output given to the model (32 KiB); longer output keeps its head and tail.</summary>
    public int MaxOutputCharacters { get; init; } = 32 * 1024;

    /// <summary>
    /// The session's read cap in bytes (<c>max_read_bytes</c>: the smaller of <c>permissions.max_read_bytes</c> and the
    /// session's), asked at each call: a read tool's result is cut to it with a note; no cap when <see langword="null"/>.
    /// </summary>
    public Func<long?>? MaxReadBytes { get; init; }

    /// <summary>The most characters of a result shown in <see cref="ToolCallCompletedEvent.ResultPreview"/>: 400.</summary>
    public int PreviewCharacters { get; init; } = 400;

    /// <summary>The most characters of arguments shown in <see cref="ToolCallStartedEvent.ArgumentsJson"/>: 8 KiB.</summary>
    public int MaxEventArgumentCharacters { get; init; } = 8 * 1024;

    /// <summary>
    /// Returns a plugin's own service provider by plugin id; passed to tools as <see cref="Microsoft.Extensions.AI.AIFunctionArguments.Services"/>
    /// (so <c>IServiceProvider</c> parameters resolve the plugin's services).
    /// </summary>
    public Func<string, IServiceProvider?>? ServicesForPlugin { get; init; }

    /// <summary>
    /// Why a tool name that no longer resolves was removed (a dormant plugin whose activation failed, for example), so a
    /// call of it fails with that reason instead of as an unknown tool; <see langword="null"/> when there is no reason.
    /// </summary>
    public Func<string, string?>? WhyUnavailable { get; init; }

    /// <summary>
    /// Kernel middleware around every invocation, outside the plugins' middleware (first is outermost), e.g. project
    /// memory for nested folders; none by default.
    /// </summary>
    public IReadOnlyList<Sdk.Tools.ToolMiddleware> Middleware { get; init; } = [];

    /// <summary>
    /// Decides which tools are offered to the model (e.g. plan mode hides write, execute and network tools); all
    /// when <see langword="null"/>. A hidden tool the model calls anyway is still decided by the permission gate.
    /// </summary>
    public Func<Sdk.Tools.ToolMetadata, bool>? OfferTool { get; init; }

    /// <summary>
    /// The only tools offered to the model, by plain or qualified (<c>plugin/name</c>) name (a workflow agent node's
    /// <c>tools</c>); all when <see langword="null"/>. Applied together with <see cref="OfferTool"/>.
    /// </summary>
    public IReadOnlySet<string>? OfferedNames { get; init; }

    /// <summary>
    /// Tools never offered to the model, by plain name and plugin id (a session policy's <c>deny_tools</c>); none when
    /// <see langword="null"/>. Read each time the tool set is built; a hidden tool the model calls anyway is still
    /// decided (and refused) by the permission gate.
    /// </summary>
    public Func<string, string, bool>? HideTool { get; init; }

    /// <summary>
    /// Which tools are deferred: listed in the system prompt by name and summary, given to the model once loaded
    /// (<c>tool_search</c>, a call, an active skill); nothing is deferred when <see langword="null"/> (the default) or
    /// when <see cref="OfferedNames"/> is set.
    /// </summary>
    public ToolDeferral? Deferral { get; init; }

    /// <summary>
    /// The shortest time between two <see cref="ToolCallProgressEvent"/>s of one call (250 ms); updates in between are
    /// dropped, except the first and the first that reaches fraction 1.
    /// </summary>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Supplies cached schemas of delegate-built tools (see <see cref="ToolSchemaCache"/>), when any.</summary>
    public ToolSchemaCache? SchemaCache { get; init; }

    /// <summary>
    /// Tools the kernel provides for this pipeline (e.g. the session's <c>skill</c> tool), registered as plugin
    /// <c>kernel</c>. A kernel tool wins over a plugin tool of the same plain name.
    /// </summary>
    public IReadOnlyList<RegisteredCapability> KernelTools { get; init; } = [];

    /// <summary>
    /// The run's operating-system sandbox: calls of tools whose metadata says <see cref="Sdk.Tools.ToolMetadata.Sandboxed"/>
    /// get it in <see cref="Sdk.Tools.ToolContext.SandboxKey"/> (the network decided per command line), their permission
    /// request carries it (for <c>sandbox.auto_allow</c>), and their events say how they were sandboxed. None when not set.
    /// </summary>
    public AgentHost.Permissions.Sandbox.SandboxPolicy? Sandbox { get; init; }

    /// <summary>
    /// The complete environment of the processes tools start for the model (<see cref="Sdk.Tools.ToolContext.ProcessEnvironmentKey"/>,
    /// built by <see cref="SessionProcessEnvironment"/>); the CLI's filtered environment when not set.
    /// </summary>
    public IReadOnlyDictionary<string, string>? ProcessEnvironment { get; init; }

    /// <summary>
    /// The editor the session runs in, when it serves files (<see cref="Sdk.Tools.ToolContext.EditorFilesKey"/>): every
    /// call gets it, after its permission decision; none when not set (the tools use the disk).
    /// </summary>
    public Sdk.Tools.IEditorFiles? EditorFiles { get; init; }

    /// <summary>
    /// Where tool failures (with their stack), time-outs and permission-gate failures are logged, and the agent loop's
    /// compaction failures; nothing is logged when not set.
    /// </summary>
    public Microsoft.Extensions.Logging.ILoggerFactory LoggerFactory { get; init; } = Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance;

    /// <summary>
    /// Called for every allowed call of a tool with a write effect, after the permission decision and before the tool
    /// runs, with the paths its description declares (the session's file checkpoints); none when not set.
    /// </summary>
    public Func<ToolWriteNotice, CancellationToken, ValueTask>? BeforeWrite { get; init; }

    /// <summary>
    /// Awaited before every call runs (after its arguments are checked, before its hooks, permission and invocation):
    /// the session's skill baseline, which must be taken before any tool can change a skill; none when not set.
    /// </summary>
    internal Func<CancellationToken, ValueTask>? BeforeCall { get; init; }

    /// <summary>The session's tool hooks (PreToolUse, PostToolUse, PostToolUseFailure; docs/hooks.md); none when not set.</summary>
    public Hooks.SessionHooks? Hooks { get; init; }
}
