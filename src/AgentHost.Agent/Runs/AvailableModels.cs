using AgentHost.Agent.Models;
using AgentHost.Hosting;
using AgentHost.Hosting.Configuration;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Installed;
using AgentHost.Sdk.Capabilities;

namespace AgentHost.Agent.Runs;

/// <summary>Which endpoints <see cref="AvailableModels.GatherAsync"/> asks for their models.</summary>
public enum DiscoveryScope
{
    /// <summary>None: the catalog and the configured <c>models</c> lists only (known local servers are not tried).</summary>
    None,

    /// <summary>
    /// The providers the catalog knows no model of (custom endpoints without a <c>models</c> list); known local servers
    /// used without configuration only when nothing else is usable. For the automatic selector.
    /// </summary>
    Needed,

    /// <summary>Every usable provider, and every known local server (<c>agent models</c>).</summary>
    All,
}

/// <summary>A provider that cannot be used, and why.</summary>
/// <param name="Provider">The provider name.</param>
/// <param name="Configured">Whether it is configured under <c>providers:</c>.</param>
/// <param name="Why">Why, with the fix.</param>
public sealed record UnusableProvider(string Provider, bool Configured, string Why);

/// <summary>The models of the usable providers (configured ones and known services with their key or, locally, answering).</summary>
/// <param name="Catalog">The usable providers' models.</param>
/// <param name="Unusable">The providers that cannot be used, and why.</param>
/// <param name="Problems">Endpoints of usable providers that could not list their models (warnings).</param>
public sealed record AvailableModels(ModelCatalog Catalog, IReadOnlyList<UnusableProvider> Unusable, IReadOnlyList<string> Problems)
{
    /// <summary>How long one endpoint may take to list its models.</summary>
    public static readonly TimeSpan DiscoveryTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Finds the usable providers, loads their plugins and gathers their models.</summary>
    /// <param name="configuration">The configuration.</param>
    /// <param name="runtime">The plugin runtime (provider plugins are loaded from the bundled catalog as needed).</param>
    /// <param name="environment">The environment (keys, base-URL variables).</param>
    /// <param name="scope">Which endpoints to ask for their models.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The models.</returns>
    public static async Task<AvailableModels> GatherAsync(ConfigurationSnapshot configuration, PluginRuntime runtime, HostEnvironment environment, DiscoveryScope scope, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(runtime);
        ArgumentNullException.ThrowIfNull(environment);
        var unusable = new List<UnusableProvider>();
        var usable = new List<ProviderEntry>();
        var local = new List<ProviderEntry>();
        foreach (var entry in ProviderDirectory.All(configuration))
        {
            if (ProviderDirectory.WhyUnusable(entry, environment) is { } why)
            {
                unusable.Add(new UnusableProvider(entry.Name, entry.Configured, why));
            }
            else if (!await runtime.EnsureChatProviderAsync(entry.Type, cancellationToken).ConfigureAwait(false))
            {
                unusable.Add(new UnusableProvider(entry.Name, entry.Configured, $"no plugin provides the '{entry.Type}' provider type: install one ('agent plugin install {entry.Type}')"));
            }
            else
            {
                (entry.NeedsProbe ? local : usable).Add(entry);
            }
        }

        var catalog = ModelCatalog.Build(configuration, usable.Select(e => e.Settings), runtime.Registry);
        var problems = new List<string>();
        if (scope != DiscoveryScope.None)
        {
            var ask = scope == DiscoveryScope.All ? usable : usable.Where(e => catalog.Models.All(m => !Same(m.Provider, e.Name))).ToList();
            await DiscoverAsync(ask, catalog, configuration, runtime, environment, problems, unusable: null, cancellationToken).ConfigureAwait(false);
        }

        if (scope == DiscoveryScope.All || (scope == DiscoveryScope.Needed && catalog.Models.Count == 0))
        {
            await DiscoverAsync(local, catalog, configuration, runtime, environment, problems, unusable, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            var why = scope == DiscoveryScope.None
                ? "not contacted (a local server counts once it answers; 'agent models' without --no-discover asks)"
                : "not contacted (a local server is tried only when nothing else is usable)";
            unusable.AddRange(local.Select(e => new UnusableProvider(e.Name, false, why)));
        }

        return new AvailableModels(catalog, unusable.OrderBy(u => u.Provider, StringComparer.OrdinalIgnoreCase).ToList(), problems.Order(StringComparer.Ordinal).ToList());
    }

    /// <summary>Asks each provider's endpoint for its models; a known local server that does not answer becomes unusable.</summary>
    private static async Task DiscoverAsync(
        List<ProviderEntry> entries, ModelCatalog catalog, ConfigurationSnapshot configuration, PluginRuntime runtime, HostEnvironment environment, List<string> problems, List<UnusableProvider>? unusable, CancellationToken cancellationToken)
    {
        await Task.WhenAll(entries.Select(async entry =>
        {
            if (runtime.Registry.Find(CapabilityKind.ChatProvider, entry.Type) is not { Capability: ChatProviderCapability { DiscoverModels: { } discover } } provider)
            {
                return;
            }

            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(DiscoveryTimeout);
                var options = ModelSelection.Options(entry.Name, string.Empty, configuration, environment);
                var services = runtime.Host.Loaded.TryGetValue(provider.PluginId, out var plugin) ? plugin.ServiceProvider : ModelSelection.EmptyServices.Instance;
                var found = await discover(options, services, timeout.Token).ConfigureAwait(false);
                lock (catalog)
                {
                    catalog.AddDiscovered(entry.Name, entry.Type, found);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                var why = ex is OperationCanceledException ? $"no answer within {DiscoveryTimeout.TotalSeconds:0} s" : ex.Message.TrimEnd('.');
                if (unusable is not null)
                {
                    var url = ProviderDirectory.DisplayedBaseUrl(entry.Settings, environment);
                    var variable = entry.Service?.BaseUrlVariable is { } v ? $", or set {v} to where it listens" : string.Empty;
                    lock (unusable)
                    {
                        unusable.Add(new UnusableProvider(entry.Name, entry.Configured, $"nothing answers at {url} (start the server{variable})"));
                    }

                    return;
                }

                lock (problems)
                {
                    problems.Add($"{entry.Name}: could not list models ({why})");
                }
            }
        })).ConfigureAwait(false);
    }

    private static bool Same(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
}
