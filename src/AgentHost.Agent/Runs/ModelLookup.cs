using AgentHost.Agent.Models;
using AgentHost.Hosting;
using AgentHost.Hosting.Capabilities;
using AgentHost.Hosting.Configuration;
using AgentHost.Hosting.Text;

namespace AgentHost.Agent.Runs;

/// <summary>
/// Finds the provider of a bare model id (<c>--model gpt-4.1</c>): the providers — configured, and the known services —
/// whose catalog or <c>models</c> list has it. One usable provider: that one; several: a usage error listing them;
/// none: a usage error with the closest ids.
/// </summary>
public static class ModelLookup
{
    /// <summary>Returns <c>provider/model</c> for a model text: unchanged when it names its provider, else looked up.</summary>
    /// <param name="text">The model as written.</param>
    /// <param name="configuration">The configuration.</param>
    /// <param name="registry">The loaded plugins (models they declare); optional.</param>
    /// <param name="environment">The environment (which providers have their key).</param>
    /// <returns>The qualified model.</returns>
    /// <exception cref="AgentHostException">The id is unknown, or several usable providers offer it (<see cref="ErrorKind.Usage"/>).</exception>
    public static string Qualify(string text, ConfigurationSnapshot configuration, CapabilityRegistry? registry, HostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(environment);
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash > 0 && slash < text.Length - 1)
        {
            return text;
        }

        if (slash >= 0 || text.Trim().Length == 0)
        {
            throw new AgentHostException(ErrorKind.Usage, $"model '{text}' must be written provider/model (e.g. openai/gpt-4.1-mini) or as a model id the catalog knows (e.g. gpt-4.1).");
        }

        var offering = Offering(text, configuration, registry);
        if (offering.Count == 0)
        {
            var known = Catalog(configuration, registry).Models.Select(m => m.Descriptor.Id).Distinct(StringComparer.Ordinal);
            throw new AgentHostException(
                ErrorKind.Usage,
                $"no provider's catalog lists a model '{text}'. Name the provider too, e.g. --model openrouter/{text} or --model ollama/{text} for a model only its endpoint knows ('agent models' lists the models).{CloseMatches.Hint(CloseMatches.Find(text, known))}");
        }

        var entries = ProviderDirectory.All(configuration).ToDictionary(e => e.Name, StringComparer.OrdinalIgnoreCase);
        var usable = offering.Where(m => entries.TryGetValue(m.Provider, out var entry) && ProviderDirectory.WhyUnusable(entry, environment) is null).ToList();
        var choices = usable.Count > 0 ? usable : offering;
        if (choices.Count == 1)
        {
            return choices[0].Reference;
        }

        var state = usable.Count > 0 ? "usable providers" : "providers (none of them usable yet)";
        throw new AgentHostException(
            ErrorKind.Usage,
            $"model '{text}' is offered by several {state}: {string.Join(", ", choices.Select(m => m.Reference))}. Name one with --model provider/model.");
    }

    /// <summary>The models of every provider whose catalog or <c>models</c> list has this id (exactly, else ignoring case).</summary>
    /// <param name="modelId">The model id.</param>
    /// <param name="configuration">The configuration.</param>
    /// <param name="registry">The loaded plugins; optional.</param>
    /// <returns>The models, one per provider.</returns>
    public static IReadOnlyList<CatalogModel> Offering(string modelId, ConfigurationSnapshot configuration, CapabilityRegistry? registry)
    {
        ArgumentNullException.ThrowIfNull(modelId);
        var models = Catalog(configuration, registry).Models;
        var exact = models.Where(m => string.Equals(m.Descriptor.Id, modelId, StringComparison.Ordinal)).ToList();
        return exact.Count > 0 ? exact : models.Where(m => string.Equals(m.Descriptor.Id, modelId, StringComparison.OrdinalIgnoreCase)).ToList();
    }

    private static ModelCatalog Catalog(ConfigurationSnapshot configuration, CapabilityRegistry? registry) =>
        ModelCatalog.Build(configuration, ProviderDirectory.All(configuration).Select(e => e.Settings), registry);
}
