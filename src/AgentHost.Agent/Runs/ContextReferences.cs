using System.Text.Json;
using AgentHost.Agent.Context;
using AgentHost.Agent.Mcp;
using AgentHost.Agent.Tools;
using AgentHost.Hosting;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Installed;
using AgentHost.Hosting.Security;
using AgentHost.Permissions;
using AgentHost.Permissions.Gate;
using AgentHost.Permissions.Rules;
using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Events;

namespace AgentHost.Agent.Runs;

/// <summary>
/// The context-reference expander of a run, wired to the permission rules: <c>@file</c>, <c>@dir/</c> and images get
/// the same read decision as a tool's read (in the run's mode; a read that would ask is not expanded), and
/// <c>@SERVER:URI</c> reads the session's MCP server's resource, and <c>@url</c> is fetched by invoking the registered <c>fetch</c> tool through the tool pipeline, so the permission
/// gate, domain rules, private-address guard, size limits and readability extraction of that tool all apply.
/// </summary>
internal static class ContextReferences
{
    public static ContextReferenceExpander Create(
        PluginRuntime runtime,
        PermissionPolicy policy,
        PermissionMode mode,
        string workspaceRoot,
        string homeDirectory,
        SecretScrubber scrubber,
        TimeProvider timeProvider,
        McpResourceReferences? mcpResources = null)
    {
        // Rule problems are reported once, by the session's gate; this gate only decides the prompt's references.
        var gate = new RulePermissionGate(policy, mode, workspaceRoot, homeDirectory, policy.ExtraDirectories);
        var calls = 0;
        return new ContextReferenceExpander(workspaceRoot, runtime.Registry)
        {
            McpResources = mcpResources,
            ReadCheck = ReadAccessCheck.For(gate, string.Empty, "context", workspaceRoot),
            FetchUrl = async (url, cancellationToken) =>
            {
                if (runtime.Registry.Find(CapabilityKind.Tool, "fetch") is null)
                {
                    throw new AgentHostException(ErrorKind.Usage, UrlContext.NoFetchTool);
                }

                using var pipeline = AgentRunner.CreatePipeline(runtime, gate, scrubber, timeProvider);
                var context = new ToolCallContext(string.Empty, $"context-{Interlocked.Increment(ref calls)}") { WorkspaceRoot = workspaceRoot, InSession = false };
                var outcome = await pipeline.InvokeAsync("fetch", JsonSerializer.Serialize(new { url }), context, cancellationToken).ConfigureAwait(false);
                return outcome.Status == ToolCallStatus.Succeeded
                    ? outcome.Text
                    : throw new AgentHostException(ErrorKind.Usage, outcome.Error ?? outcome.Text);
            },
        };
    }
}
