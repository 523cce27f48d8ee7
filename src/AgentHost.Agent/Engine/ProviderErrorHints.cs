using AgentHost.Sdk.Providers;

namespace AgentHost.Agent.Engine;

/// <summary>The provider's message plus what the user can do about it, by error kind.</summary>
public static class ProviderErrorHints
{
    /// <summary>A one-line description of a failed model request: the provider's message and a hint.</summary>
    /// <param name="error">The failure.</param>
    /// <param name="attempts">How many attempts were made.</param>
    /// <returns>The text.</returns>
    public static string Describe(Exception error, int attempts)
    {
        ArgumentNullException.ThrowIfNull(error);
        var provider = ModelRetryPolicy.Find(error);
        var message = (provider ?? error).Message.Trim().TrimEnd('.');
        var status = provider?.StatusCode is { } code ? $" (HTTP {code})" : string.Empty;
        var tries = attempts > 1 ? $" after {attempts} attempts" : string.Empty;
        // A refused connection gets its own hint, unless the provider's message already says where to fix the address.
        var hint = ModelRetryPolicy.IsConnectionRefused(error) ? (message.Contains("base_url", StringComparison.Ordinal) ? string.Empty : Refused(provider))
            : Hint(provider?.Kind ?? (ModelRetryPolicy.IsRetryable(error) ? ProviderErrorKind.Transport : ProviderErrorKind.Unknown), provider);
        return $"the model request failed{tries}: {message}{status}{(hint.Length > 0 ? ". " + hint : string.Empty)}";
    }

    /// <summary>What to do when nothing listens at the endpoint: start the server, or point the provider elsewhere.</summary>
    /// <param name="error">The exception, for the provider name.</param>
    /// <returns>The hint.</returns>
    public static string Refused(ProviderException? error)
    {
        var name = error?.Provider is { Length: > 0 } p ? p : "<name>";
        var variable = Models.KnownProvider.Find(name)?.BaseUrlVariable is { } v ? $" (or ${v})" : string.Empty;
        return $"Nothing listens at that address: start the server, or correct providers.{name}.base_url{variable}.";
    }

    /// <summary>What to do about an error kind.</summary>
    /// <param name="kind">The kind.</param>
    /// <param name="error">The exception, for the provider name and the requested wait.</param>
    /// <returns>The hint, or empty.</returns>
    public static string Hint(ProviderErrorKind kind, ProviderException? error = null)
    {
        var name = error?.Provider is { Length: > 0 } p ? p : "<name>";
        return kind switch
        {
            ProviderErrorKind.Authentication => Models.KnownProvider.Find(name)?.KeyVariable is { } variable
                ? $"Check the API key: the one in ${variable}, or the one providers.{name}.api_key_env (or api_key_file / api_key_command) names in config.yaml."
                : $"Check the API key: set providers.{name}.api_key_env (or api_key_file / api_key_command) in config.yaml to a valid key.",
            ProviderErrorKind.QuotaExceeded => "The account is out of credit or over its quota: check the provider's billing page, or switch model with --model.",
            ProviderErrorKind.RateLimited => error?.RetryAfter is { } wait
                ? $"Rate limited; the provider asked to wait {wait.TotalSeconds:0} s. Continue the session later (agent run --continue)."
                : "Rate limited. Continue the session later (agent run --continue).",
            ProviderErrorKind.ServerError => "The provider is overloaded or failing; try again later or use another model.",
            ProviderErrorKind.ContextLengthExceeded => "The conversation no longer fits the model's context window: set the model's context_window in the catalog so compaction starts in time, or use a model with a larger window.",
            ProviderErrorKind.ModelNotFound => $"The endpoint does not know this model: 'agent models' lists the models of provider '{name}'.",
            ProviderErrorKind.BadRequest => "The provider rejected the request; --verbose and 'agent logs' show more.",
            ProviderErrorKind.Transport => "The provider could not be reached or the connection broke: check base_url and the network.",
            ProviderErrorKind.MalformedResponse => "The provider's answer was not understood; check that base_url points at an endpoint of this provider type.",
            _ => string.Empty,
        };
    }
}
