using System.Text.Json;
using AgentHost.Hosting.Capabilities;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Installed;
using AgentHost.Sdk.Capabilities;

namespace AgentHost.Cli.Rendering;

/// <summary>Shared text and JSON shapes for plugin listings.</summary>
internal static class PluginFormatting
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Summarize(IReadOnlyList<RegisteredCapability> capabilities) =>
        capabilities.Count == 0
            ? "-"
            : string.Join(", ", capabilities.GroupBy(c => c.Kind).OrderBy(g => g.Key).Select(g => $"{g.Count()} {Noun(g.Key, g.Count())}"));

    public static string Status(PluginLoadResult? result) => result?.Status switch
    {
        null => "not loaded",
        PluginLoadStatus.Loaded => "loaded",
        PluginLoadStatus.Failed => "FAILED",
        PluginLoadStatus.Refused => "REFUSED",
        _ => "disabled",
    };

    public static object ToJson(InstalledPlugin plugin, PluginLoadResult? result) => new
    {
        id = plugin.Locked.Id,
        version = plugin.Locked.Version,
        source = plugin.Locked.Source,
        origin = plugin.Locked.Origin,
        git = plugin.Locked.Git is { } git ? new { url = git.Url, @ref = git.Ref, path = git.Path, commit = git.Commit } : null,
        enabled = plugin.Enabled,
        enabledBy = plugin.EnabledBy,
        status = result?.Status.ToString().ToLowerInvariant() ?? "not-loaded",
        error = result?.Error,
        capabilities = (result?.Capabilities ?? []).Select(c => new { kind = c.Kind.ToString(), name = c.Name, qualifiedName = c.QualifiedName }),
    };

    private static string Noun(CapabilityKind kind, int count) => (kind, count == 1) switch
    {
        (CapabilityKind.ChatProvider, true) => "provider",
        (CapabilityKind.ChatProvider, false) => "providers",
        (CapabilityKind.Tool, true) => "tool",
        (CapabilityKind.Tool, false) => "tools",
        (CapabilityKind.ToolMiddleware, _) => "middleware",
        (CapabilityKind.LspServer, true) => "LSP server",
        (CapabilityKind.LspServer, false) => "LSP servers",
        (CapabilityKind.McpServer, true) => "MCP server (declared)",
        (CapabilityKind.McpServer, false) => "MCP servers (declared)",
        (CapabilityKind.SkillDirectory, true) => "skill folder",
        (CapabilityKind.SkillDirectory, false) => "skill folders",
        (CapabilityKind.ContextResolver, true) => "context resolver",
        (CapabilityKind.ContextResolver, false) => "context resolvers",
        (CapabilityKind.EventSubscriber, true) => "event subscriber",
        (CapabilityKind.Workflow, true) => "workflow",
        (CapabilityKind.Workflow, false) => "workflows",
        _ => "event subscribers",
    };
}
