using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Installed;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AgentHost.Agent.Composition;

/// <summary>Loads plugins when a long-running host starts and unloads them when it stops.</summary>
internal sealed partial class PluginLoaderService(PluginRuntime runtime, AgentHostOptions options, ILogger<PluginLoaderService> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.LoadPluginsOnStart)
        {
            return;
        }

        var only = options.Plugins.Count > 0 ? options.Plugins.ToList() : null;
        foreach (var result in await runtime.LoadInstalledAsync(only, cancellationToken).ConfigureAwait(false))
        {
            if (result.Error is not null)
            {
                LogNotLoaded(result.PluginId, result.Error);
            }
        }

        // Manifest-only language-server plugins need the bridge that runs their servers.
        foreach (var result in await runtime.EnsureLspBridgeAsync(cancellationToken).ConfigureAwait(false))
        {
            if (result.Error is not null)
            {
                LogNotLoaded(result.PluginId, result.Error);
            }
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var id in runtime.Host.Loaded.Keys.ToList())
        {
            await runtime.Host.UnloadAsync(id, cancellationToken).ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Plugin {PluginId} not loaded: {Error}")]
    private partial void LogNotLoaded(string pluginId, string error);
}
