using AgentHost.Plugins.Lsp.Servers;
using AgentHost.Plugins.Lsp.Tools;
using AgentHost.Sdk;
using AgentHost.Sdk.Capabilities;
using Microsoft.Extensions.DependencyInjection;

namespace AgentHost.Plugins.Lsp;

/// <summary>
/// The LSP bridge: runs the language servers that loaded plugins declare (<c>lsp:</c> in their manifests) and that
/// the configuration defines, offers the model the <c>lsp_*</c> tools, and appends diagnostics to file edits.
/// </summary>
public sealed class LspPlugin : AgentPlugin
{
    /// <summary>The order of the diagnostics middleware: late (inner), so outer middleware sees the summary.</summary>
    public const int MiddlewareOrder = 100;

    protected override void RegisterCore(IPluginBuilder builder)
    {
        var context = builder.Context;
        var settings = LspSettings.Parse(context.Id, context.Settings);
        var manager = new ServerManager(
            () => Definitions(context.Capabilities, settings),
            context.Events,
            context.LoggerFactory.CreateLogger("lsp"),
            TimeProvider.System,
            settings.SearchPath);
        var lsp = new LspService(manager, settings);

        // Stop every server when the plugin unloads or the host stops: shutdown, exit, then kill.
        context.Stopping.Register(() => manager.DisposeAsync().AsTask().GetAwaiter().GetResult());
        builder.Services.AddSingleton(lsp);
        builder.AddLspTools(lsp);
        builder.AddToolMiddleware("lsp-diagnostics", new DiagnosticsMiddleware(lsp), MiddlewareOrder);
    }

    /// <summary>Servers from every loaded plugin, then from configuration (a configured name replaces a plugin's).</summary>
    internal static IReadOnlyList<ServerDefinition> Definitions(ICapabilityView view, LspSettings settings)
    {
        var configured = settings.ConfigServers.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var fromPlugins = view.OfKind(CapabilityKind.LspServer)
            .Where(e => e.Capability is LspServerCapability && !configured.Contains(e.Capability.Name) && seen.Add(e.Capability.Name))
            .Select(e => ServerDefinition.FromCapability((LspServerCapability)e.Capability, e.PluginId));
        return [.. fromPlugins, .. settings.ConfigServers];
    }
}
