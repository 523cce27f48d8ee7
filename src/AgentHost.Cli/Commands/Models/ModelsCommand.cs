using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using AgentHost.Agent.Models;
using AgentHost.Agent.Runs;
using AgentHost.Cli.Rendering;
using AgentHost.Sdk.Capabilities;

namespace AgentHost.Cli.Commands.Models;

/// <summary>
/// <c>agent models [--json] [--no-discover]</c>: the models of the usable providers (configured ones, known services
/// with their key, local servers that answer), with limits, prices and where each fact came from; then the providers
/// that are not usable, and why.
/// </summary>
internal sealed class ModelsCommand : AgentCommand
{
    private readonly Option<string[]> _plugins = PluginOptions.Create();
    private readonly Option<bool> _json = new("--json") { Description = "Print JSON." };
    private readonly Option<bool> _noDiscover = new("--no-discover") { Description = "Do not ask the endpoints for their model lists." };
    private readonly Option<bool> _explain = new("--explain") { Description = "Show which model each kind of request (plan, edit, summarise, title, compaction) goes to, and why (multi_model.use_for, the roles, the automatic selector)." };

    public ModelsCommand(CliContext context)
        : base("models", "List the usable models (configured providers, services with their key in the environment, local servers that answer) and what is not usable, and why.", context)
    {
        Options.Add(_plugins);
        Options.Add(_json);
        Options.Add(_noDiscover);
        Options.Add(_explain);
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
        var scope = parseResult.GetValue(_noDiscover) ? DiscoveryScope.None : DiscoveryScope.All;
        var available = await AvailableModels.GatherAsync(configuration, runtime, Context.Environment, scope, cancellationToken).ConfigureAwait(false);
        var catalog = available.Catalog;
        foreach (var problem in available.Problems)
        {
            Context.Console.WriteInfo("warning: " + problem);
        }

        var models = catalog.Models;
        if (parseResult.GetValue(_explain))
        {
            return Explain(ModelRouting.Explain(configuration, models), parseResult.GetValue(_json));
        }

        if (parseResult.GetValue(_json))
        {
            Context.Console.WriteDataLine(JsonSerializer.Serialize(
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
            Context.Console.WriteLine("No usable models: export a service's key (OPENAI_API_KEY, ANTHROPIC_API_KEY, OPENROUTER_API_KEY, …), start a local server (Ollama, LM Studio, vLLM, llama.cpp), or configure a provider under 'providers:' in config.yaml (see docs/providers.md).");
        }
        else
        {
            WriteModels(models);
        }

        // What is not usable, and why: configured providers first, then the known services.
        var unusable = available.Unusable.OrderBy(u => u.Configured ? 0 : 1).ToList();
        if (unusable.Count > 0)
        {
            Context.Console.WriteLine(string.Empty);
            TextTable.Write(Context.Console, ["NOT USABLE", "WHY"], unusable.Select(u => new[] { u.Provider, u.Why }).ToList());
        }

        return ExitCodes.Success;
    }

    /// <summary>The routing table: one line per kind of request.</summary>
    private int Explain(IReadOnlyList<RouteExplanation> routes, bool json)
    {
        if (json)
        {
            Context.Console.WriteDataLine(JsonSerializer.Serialize(routes.Select(r => new { task = ModelRouting.NameOf(r.Kind), model = r.Model, why = r.Why }), PluginFormatting.Json));
            return ExitCodes.Success;
        }

        TextTable.Write(Context.Console, ["TASK", "MODEL", "WHY"], routes.Select(r => new[] { ModelRouting.NameOf(r.Kind), r.Model ?? "-", r.Why }).ToList());
        Context.Console.WriteLine(string.Empty);
        Context.Console.WriteLine("A model named for the run (--model), the chat's /model or the turn goes before these; --prefer applies to the kinds without a rule.");
        return ExitCodes.Success;
    }

    private void WriteModels(IReadOnlyList<CatalogModel> models)
    {
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
    }

    private static string Tokens(int count) => count <= 0 ? "?" : count >= 1000 ? string.Create(CultureInfo.InvariantCulture, $"{count / 1000}k") : count.ToString(CultureInfo.InvariantCulture);

    private static string Money(decimal? price) => price is { } value ? value.ToString("0.###", CultureInfo.InvariantCulture) : "-";

    private static string Features(ModelFeatures features) =>
        string.Join(",", new[] { (ModelFeatures.Tools, "tools"), (ModelFeatures.Vision, "vision"), (ModelFeatures.Reasoning, "reasoning") }.Where(f => features.HasFlag(f.Item1)).Select(f => f.Item2));
}
