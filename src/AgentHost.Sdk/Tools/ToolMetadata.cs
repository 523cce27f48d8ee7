using Microsoft.Extensions.AI;

namespace AgentHost.Sdk.Tools;

/// <summary>What the host needs to know about a tool beyond its <see cref="AIFunction"/> schema.</summary>
public sealed record ToolMetadata
{
    /// <summary>Creates metadata with the given effect.</summary>
    /// <param name="effect">What the tool does to the world.</param>
    public ToolMetadata(ToolEffect effect) => Effect = effect;

    /// <summary>What the tool does to the world.</summary>
    public ToolEffect Effect { get; }

    /// <summary>
    /// Describes one call for permission prompts and rules. When absent, the host shows the tool name and
    /// the JSON arguments.
    /// </summary>
    public Func<AIFunctionArguments, ToolCallDescription>? DescribeCall { get; init; }

    /// <summary>
    /// Describes one call when that needs I/O (reading the file a diff preview compares against, asking git what a
    /// command targets). The host awaits it with the call's cancellation token before the permission prompt, and
    /// prefers it to <see cref="DescribeCall"/> when both are set. A description that fails falls back to the default.
    /// </summary>
    public Func<AIFunctionArguments, CancellationToken, ValueTask<ToolCallDescription>>? DescribeCallAsync { get; init; }

    /// <summary>A per-call time limit; the host default when absent.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Whether calls can run in parallel with other read-only calls (defaults to read-only tools).</summary>
    public bool? Parallelizable { get; init; }

    /// <summary>
    /// Whether the model is offered the tool only on demand: <see langword="true"/> lists it by name and a one-line
    /// summary and loads its definition when the model asks for it (the host's <c>tool_search</c>);
    /// <see langword="false"/> offers it with every request (a core tool); <see langword="null"/> (the default) lets
    /// the host decide, which defers plugin tools. The user's configuration (<c>plugins.deferred_tools</c>) overrides it.
    /// </summary>
    public bool? Deferred { get; init; }
}
