using System.Text.RegularExpressions;

namespace AgentHost.Hosting.Configuration;

/// <summary>Checks a regular expression given in configuration before it is used (<c>secrets.rules</c>, and <c>agent config validate</c>).</summary>
internal static class RegexPatterns
{
    /// <summary>Why a configured expression cannot be used by the linear-time engine, with the fix, or <see langword="null"/>.</summary>
    /// <param name="pattern">The expression.</param>
    /// <returns>The problem, or <see langword="null"/>.</returns>
    public static string? Problem(string pattern) => Problem(pattern, RegexOptions.NonBacktracking);

    /// <summary>Why an expression cannot be compiled with <paramref name="options"/>, with the fix, or <see langword="null"/>.</summary>
    /// <param name="pattern">The expression.</param>
    /// <param name="options">The options it will be compiled with.</param>
    /// <returns>The problem, or <see langword="null"/>.</returns>
    public static string? Problem(string pattern, RegexOptions options)
    {
        try
        {
            _ = new Regex(pattern, options | RegexOptions.CultureInvariant);
            return null;
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException)
        {
            var hint = options.HasFlag(RegexOptions.NonBacktracking) ? " Configured rules use the linear-time engine: lookarounds, backreferences and atomic groups are not available; rewrite the expression without them." : string.Empty;
            return $"{ex.Message.TrimEnd('.')}.{hint}";
        }
    }
}
