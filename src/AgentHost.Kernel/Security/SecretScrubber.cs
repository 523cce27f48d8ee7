using System.Text.RegularExpressions;
using AgentHost.Kernel.Hosting;

namespace AgentHost.Kernel.Security;

/// <summary>
/// Removes secrets from text before it is stored or logged: OpenAI/Anthropic, GitHub, AWS and Slack keys, JWTs,
/// bearer tokens, and the values of environment variables whose names contain KEY, TOKEN, SECRET or PASSWORD.
/// </summary>
/// <remarks>Immutable and thread-safe; create one per process environment.</remarks>
public sealed partial class SecretScrubber
{
    /// <summary>What replaces a secret.</summary>
    public const string Mask = "[REDACTED]";

    private static readonly string[] SecretNameParts = ["KEY", "TOKEN", "SECRET", "PASSWORD"];
    private readonly string[] _environmentSecrets;

    /// <summary>Creates a scrubber that also masks the secret-named variables of <paramref name="environment"/>.</summary>
    /// <param name="environment">The environment, or <see langword="null"/> for patterns only.</param>
    public SecretScrubber(HostEnvironment? environment = null) =>
        _environmentSecrets = environment is null
            ? []
            : environment.Variables
                .Where(v => v.Value.Length >= 6 && SecretNameParts.Any(p => v.Key.Contains(p, StringComparison.OrdinalIgnoreCase)))
                .Select(v => v.Value)
                .Distinct(StringComparer.Ordinal)
                .OrderByDescending(v => v.Length)
                .ToArray();

    /// <summary>A scrubber that knows only the patterns.</summary>
    public static SecretScrubber PatternsOnly { get; } = new();

    /// <summary>Returns <paramref name="text"/> with every recognised secret replaced by <see cref="Mask"/>.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The scrubbed text (the same instance when nothing matched).</returns>
    public string Scrub(string text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text;
        }

        foreach (var secret in _environmentSecrets)
        {
            if (text.Contains(secret, StringComparison.Ordinal))
            {
                text = text.Replace(secret, Mask, StringComparison.Ordinal);
            }
        }

        text = Bearer().Replace(text, m => m.Groups[1].Value + Mask);
        return Tokens().Replace(text, Mask);
    }

    [GeneratedRegex(@"\b((?i:bearer)\s+)[A-Za-z0-9._~+/=-]{8,}")]
    private static partial Regex Bearer();

    [GeneratedRegex(
        @"sk-[A-Za-z0-9_-]{20,}" + // OpenAI (sk-, sk-proj-) and Anthropic (sk-ant-)
        @"|\bgh[pousr]_[A-Za-z0-9]{30,}|\bgithub_pat_[A-Za-z0-9_]{22,}" + // GitHub
        @"|\b(?:AKIA|ASIA)[0-9A-Z]{16}\b" + // AWS access key ids
        @"|\bxox[abeprs]-[A-Za-z0-9-]{10,}" + // Slack
        @"|\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}")] // JWT
    private static partial Regex Tokens();
}
