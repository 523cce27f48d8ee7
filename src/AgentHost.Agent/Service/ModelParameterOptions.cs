using System.Globalization;
using AgentHost.Agent.Runs;
using AgentHost.Hosting;
using AgentHost.Hosting.Configuration;
using AgentHost.Sdk.Events;
using AgentHost.Sdk.Providers;
using AgentHost.Sessions;
using Microsoft.Extensions.AI;

namespace AgentHost.Agent.Service;

/// <summary>
/// A turn's model parameters (temperature, top-p, max output tokens, stop sequences, seed, reasoning effort): each
/// resolved request &gt; session &gt; configuration (<see cref="SessionSettings.Resolve"/>), checked by the one
/// validator, and turned into the <see cref="ChatOptions"/> every provider maps to its own fields.
/// </summary>
internal static class ModelParameterOptions
{
    /// <summary>The options of a turn, or <see langword="null"/> when no layer sets a model parameter.</summary>
    /// <param name="request">The turn's own values (an <c>agent run</c> flag, a request body), by key.</param>
    /// <param name="session">The session's settings.</param>
    /// <param name="configuration">The configuration (<c>session.*</c> keys, <c>-c session.*</c> flags).</param>
    /// <returns>The options.</returns>
    /// <exception cref="AgentHostException">A value that is not valid, naming where it came from and the fix.</exception>
    public static ChatOptions? Resolve(IReadOnlyDictionary<string, string>? request, IReadOnlyDictionary<string, string>? session, ConfigurationSnapshot? configuration)
    {
        ChatOptions? options = null;
        foreach (var key in ModelParameterValues.Keys)
        {
            var resolved = SessionSettings.Resolve(key, request, session, configuration);
            var value = resolved.Value;
            var origin = resolved.Origin;
            if (value is null && key == ModelParameterValues.Stop && configuration is not null && StopList(configuration) is { } list)
            {
                (value, origin) = list;
            }

            if (value is null)
            {
                continue;
            }

            var stored = ModelParameterValues.Normalize(key, value.Trim())
                ?? throw new AgentHostException(
                    resolved.Source is SettingSource.Request ? ErrorKind.Usage : ErrorKind.Configuration,
                    $"{key} ({origin}): '{value}' is not valid; {ModelParameterValues.Expected(key)}.");
            options ??= new ChatOptions();
            Apply(options, key, stored);
        }

        return options;
    }

    /// <summary>
    /// Tells the user, once per session and model, about each parameter the model's provider does not send
    /// (<see cref="IModelParameterSupport"/>), as a warning event of the turn.
    /// </summary>
    /// <param name="model">The turn's model.</param>
    /// <param name="options">The turn's options.</param>
    /// <param name="warned">What this session was already told.</param>
    /// <param name="events">The bus.</param>
    public static void WarnIgnored(SelectedModel model, ChatOptions options, HashSet<string> warned, IEventBus events)
    {
        if (model.Client.GetService(typeof(IModelParameterSupport)) is not IModelParameterSupport support)
        {
            return;
        }

        var forModel = options.Clone();
        forModel.ModelId ??= model.ModelId;
        var name = model.ProviderName + "/" + model.ModelId;
        foreach (var ignored in support.FindIgnored(forModel))
        {
            bool first;
            lock (warned)
            {
                first = warned.Add(name + "\n" + ignored.Name);
            }

            if (first)
            {
                events.Publish(new WarningEvent("model", $"{ignored.Name} is not sent to {name}: {ignored.Reason}. Unset it (agent session settings, session.{ignored.Name} in config.yaml or the request) or choose another model."));
            }
        }
    }

    private static void Apply(ChatOptions options, string key, string stored)
    {
        switch (key)
        {
            case ModelParameterValues.Temperature:
                options.Temperature = float.Parse(stored, CultureInfo.InvariantCulture);
                break;
            case ModelParameterValues.TopP:
                options.TopP = float.Parse(stored, CultureInfo.InvariantCulture);
                break;
            case ModelParameterValues.MaxOutputTokens:
                options.MaxOutputTokens = int.Parse(stored, CultureInfo.InvariantCulture);
                break;
            case ModelParameterValues.Seed:
                options.Seed = long.Parse(stored, CultureInfo.InvariantCulture);
                break;
            case ModelParameterValues.Stop:
                options.StopSequences = [.. ModelParameterValues.ParseStop(stored)!];
                break;
            case ModelParameterValues.ReasoningEffort:
                options.Reasoning = new ReasoningOptions { Effort = Effort(stored) };
                break;
        }
    }

    private static ReasoningEffort Effort(string stored) => stored switch
    {
        "none" => ReasoningEffort.None,
        "low" => ReasoningEffort.Low,
        "medium" => ReasoningEffort.Medium,
        "high" => ReasoningEffort.High,
        _ => ReasoningEffort.ExtraHigh,
    };

    /// <summary><c>session.stop</c> written as a YAML list (<c>stop: [END, "###"]</c>), as the JSON array the validator reads, with where it came from.</summary>
    private static (string Value, string Origin)? StopList(ConfigurationSnapshot configuration)
    {
        var section = configuration.GetSection(SessionSettings.Section + "." + ModelParameterValues.Stop);
        if (section.Count == 0)
        {
            return null;
        }

        var items = section.OrderBy(e => int.TryParse(e.Key, NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : int.MaxValue).Select(e => e.Value).ToList();
        var origin = configuration.Explain(SessionSettings.Section + "." + ModelParameterValues.Stop + "." + section.Keys.First())?.Source ?? "configuration";
        return (ModelParameterValues.FormatStop(items), origin);
    }
}
