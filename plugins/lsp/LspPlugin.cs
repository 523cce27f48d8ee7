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
            settings.SearchPath)
        {
            BaseEnvironment = context.ProcessEnvironment,
            Sandbox = context.ProcessSandboxFor,
        };
        var lsp = new LspService(manager, settings) { DefinitionsWithProblems = problems => Definitions(context.Capabilities, settings, problems) };

        // Stop every server when the plugin unloads or the host stops: shutdown, exit, then kill.
#pragma warning disable RS0030 // The plugin contract's stop signal is a token whose callbacks are synchronous; the servers' shutdown (shutdown, exit, then kill) is asynchronous.
        context.Stopping.Register(() => manager.DisposeAsync().AsTask().GetAwaiter().GetResult());
#pragma warning restore RS0030
        builder.Services.AddSingleton(lsp);
        builder.AddLspTools(lsp);
        builder.AddStatusTool(lsp);
        builder.AddControlTool(lsp);
        builder.AddToolMiddleware("lsp-diagnostics", new DiagnosticsMiddleware(lsp), MiddlewareOrder);
    }

    /// <summary>
    /// Servers from every loaded plugin, then from configuration: an <c>lsp.servers</c> entry named like a plugin's
    /// server changes only the keys it gives (e.g. <c>command</c> and <c>args</c>: the extensions stay); other entries
    /// define servers of their own.
    /// </summary>
    /// <param name="view">The capabilities of the loaded plugins.</param>
    /// <param name="settings">The bridge's settings.</param>
    /// <param name="problems">Receives the configuration's problems (an entry that defines nothing, a bad value), when given.</param>
    internal static IReadOnlyList<ServerDefinition> Definitions(ICapabilityView view, LspSettings settings, List<ServerProblem>? problems = null)
    {
        var sink = problems ?? [];
        sink.AddRange(settings.ConfigProblems);
        var entries = settings.ConfigServers.ToDictionary(e => e.Name, StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<ServerDefinition>();
        foreach (var entry in view.OfKind(CapabilityKind.LspServer).Where(e => e.Capability is LspServerCapability && seen.Add(e.Capability.Name)))
        {
            var plugin = ServerDefinition.FromCapability((LspServerCapability)entry.Capability, entry.PluginId);
            if (!entries.Remove(plugin.Name, out var configured))
            {
                result.Add(plugin);
            }
            else if (ConfigServers.Build(configured, plugin, sink) is { } adjusted)
            {
                result.Add(adjusted);
            }
        }

        foreach (var entry in entries.Values.OrderBy(e => e.Name, StringComparer.Ordinal))
        {
            if (ConfigServers.Build(entry, null, sink) is { } defined)
            {
                result.Add(defined);
            }
        }

        return result;
    }
}
