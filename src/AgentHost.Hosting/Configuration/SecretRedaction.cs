namespace AgentHost.Hosting.Configuration;

/// <summary>Decides which configuration keys hold secrets, so that they are never shown or logged.</summary>
/// <remarks>
/// A key is secret when its last segment contains <c>key</c>, <c>token</c>, <c>secret</c>, <c>password</c>,
/// <c>credential</c> or <c>authorization</c> (case-insensitive), e.g. <c>api_key</c>, <c>auth_token</c> or an
/// <c>Authorization</c> header. Segments ending in <c>_env</c>, <c>_file</c> or <c>_command</c> (e.g.
/// <c>api_key_env</c>) only say where a secret lives, so they are not secret. <c>server.store</c> is secret too (a
/// connection URI may hold a password).
/// </remarks>
public static class SecretRedaction
{
    private static readonly string[] SecretWords = ["key", "token", "secret", "password", "credential", "authorization"];
    private static readonly string[] ReferenceSuffixes = ["_env", "_file", "_command"];

    /// <summary>Whole keys whose values may carry a secret although their names do not say so (a connection URI's password).</summary>
    private static readonly string[] SecretKeys = ["server.store"];

    /// <summary>Whether a key holds a secret.</summary>
    /// <param name="key">A dotted key.</param>
    /// <returns><see langword="true"/> when the value must be redacted.</returns>
    public static bool IsSecret(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (SecretKeys.Contains(key, StringComparer.OrdinalIgnoreCase))
        {
            return true;
        }

        var last = key[(key.LastIndexOf('.') + 1)..];
        foreach (var suffix in ReferenceSuffixes)
        {
            if (last.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }

        foreach (var word in SecretWords)
        {
            if (last.Contains(word, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Returns the value, or <c>***</c> when the key is secret and the value is not empty.</summary>
    /// <param name="key">A dotted key.</param>
    /// <param name="value">Its value.</param>
    /// <returns>The value safe to show.</returns>
    public static string Redact(string key, string value) =>
        IsSecret(key) && !string.IsNullOrEmpty(value) ? ConfigEntry.RedactedText : value;
}
