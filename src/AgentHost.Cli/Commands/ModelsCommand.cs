using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using AgentHost.Agent.Models;
using AgentHost.Agent.Runs;
using AgentHost.Cli.Rendering;
using AgentHost.Sdk.Capabilities;

namespace AgentHost.Cli.Commands;

/// <summary><c>agent models [--json] [--no-discover]</c>: the models of the configured providers, with limits, prices and where each fact came from.</summary>
internal sealed class ModelsCommand : AgentCommand
{
    private static readonly TimeSpan DiscoveryTimeout = TimeSpan.FromSeconds(5);
    private readonly Option<string[]> _plugins = PluginOptions.Create();
    private readonly Option<bool> _json = new("--json") { Description = "Print JSON." };
    private readonly Option<bool> _noDiscover = new("--no-discover") { Description = "Do not ask the endpoints for their model lists." };

    public ModelsCommand(CliContext context)
        : base("models", "List the models of the configured providers: catalog, configuration and what reachable endpoints report.", context)
    {
        Options.Add(_plugins);
        Options.Add(_json);
        Options.Add(_noDiscover);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var configuration = Context.Configuration(parseResult);
        if (configuration.ProjectTrustWarning is { } untrusted)
        {
            // The project's provider settings are not in the configuration: the user's own apply.
            Context.Console.WriteInfo("warning: " + untrusted);
        }

        await using var runtime = Context.CreatePluginRuntime(configuration);
        await runtime.LoadForRunAsync(parseResult.GetValue(_plugins) ?? [], Context.Environment.CurrentDirectory, cancellationToken: cancellationToken).ConfigureAwait(false);
        foreach (var provider in configuration.Providers.Values)
        {
            await runtime.EnsureChatProviderAsync(provider.Type, cancellationToken).ConfigureAwait(false);
        }

        var catalog = ModelCatalog.Build(configuration, runtime.Registry);
        var problems = new List<string>();
        if (!parseResult.GetValue(_noDiscover))
        {
            await Task.WhenAll(configuration.Providers.Values.Select(async provider =>
            {
                if (runtime.Registry.Find(CapabilityKind.ChatProvider, provider.Type) is not { Capability: ChatProviderCapability { DiscoverModels: { } discover } } entry)
                {
                    return;
                }

                try
                {
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    timeout.CancelAfter(DiscoveryTimeout);
                    var options = ModelSelection.Options(provider.Name, string.Empty, configuration, Context.Environment);
                    var services = runtime.Host.Loaded.TryGetValue(entry.PluginId, out var plugin) ? plugin.ServiceProvider : ModelSelection.EmptyServices.Instance;
                    var found = await discover(options, services, timeout.Token).ConfigureAwait(false);
                    lock (catalog)
                    {
                        catalog.AddDiscovered(provider.Name, provider.Type, found);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    lock (problems)
                    {
                        problems.Add($"{provider.Name}: could not list models ({(ex is OperationCanceledException ? "no answer within 5 s" : ex.Message)})");
                    }
                }
            })).ConfigureAwait(false);
        }

        foreach (var problem in problems.Order(StringComparer.Ordinal))
        {
            Context.Console.WriteInfo("warning: " + problem);
        }

        var models = catalog.Models;
        if (parseResult.GetValue(_json))
        {
            Context.Console.WriteLine(JsonSerializer.Serialize(
                models.Select(m => new
                {
                    model = m.Reference,
                    provider = m.Provider,
                    type = m.ProviderType,
                    id = m.Descriptor.Id,
                    contextWindow = m.Descriptor.ContextWindow,
                    maxOutputTokens = m.Descriptor.MaxOutputTokens,
                    inputPrice = m.Descriptor.InputPricePerMillion,
                    outputPrice = m.Descriptor.OutputPricePerMillion,
                    cachedInputPrice = m.Descriptor.CachedInputPricePerMillion,
                    features = Features(m.Descriptor.Features),
                    tier = m.Tier.ToString().ToLowerInvariant(),
                    source = m.Source.ToString().ToLowerInvariant(),
                }),
                PluginFormatting.Json));
            return ExitCodes.Success;
        }

        if (models.Count == 0)
        {
            Context.Console.WriteLine("No models: configure a provider under 'providers:' in config.yaml (see docs/providers.md).");
            return ExitCodes.Success;
        }

        TextTable.Write(Context.Console, ["MODEL", "CONTEXT", "OUTPUT", "$IN/1M", "$OUT/1M", "FEATURES", "TIER", "SOURCE"], models.Select(m => new[]
        {
            m.Reference,
            Tokens(m.Descriptor.ContextWindow),
            Tokens(m.Descriptor.MaxOutputTokens),
            Money(m.Descriptor.InputPricePerMillion),
            Money(m.Descriptor.OutputPricePerMillion),
            Features(m.Descriptor.Features),
            m.Tier.ToString().ToLowerInvariant(),
            m.Source.ToString().ToLowerInvariant(),
        }).ToList());
        return ExitCodes.Success;
    }

    private static string Tokens(int count) => count <= 0 ? "?" : count >= 1000 ? string.Create(CultureInfo.InvariantCulture, $"{count / 1000}k") : count.ToString(CultureInfo.InvariantCulture);

    private static string Money(decimal? price) => price is { } value ? value.ToString("0.###", CultureInfo.InvariantCulture) : "-";

    private static string Features(ModelFeatures features) =>
        string.Join(",", new[] { (ModelFeatures.Tools, "tools"), (ModelFeatures.Vision, "vision"), (ModelFeatures.Reasoning, "reasoning") }.Where(f => features.HasFlag(f.Item1)).Select(f => f.Item2));
}
