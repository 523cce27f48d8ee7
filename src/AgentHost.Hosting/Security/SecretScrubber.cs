using System.Buffers;
using System.Text;
using System.Text.RegularExpressions;
namespace AgentHost.Hosting.Security;

/// <summary>
/// Removes secrets from text before it is stored, logged or emitted as an event: PEM private keys (RSA, EC, DSA,
/// OPENSSH, ENCRYPTED, PGP), AWS access key ids and secret access keys, GitHub, GitLab, Slack (tokens and webhook
/// URLs), Google (API keys, OAuth secrets and tokens, service-account private keys), Azure connection strings and SAS
/// signatures, npm, Stripe, OpenAI and Anthropic keys, JWTs, bearer and basic credentials, passwords in URLs,
/// quoted or <c>KEY=value</c> assignments to password/secret/token/api-key names, and the values of environment
/// variables whose names contain KEY, TOKEN, SECRET or PASSWORD.
/// </summary>
/// <remarks>
/// Immutable and thread-safe; create one per process environment. Fast on the common path: a vectorised search for
/// the few literal markers every pattern needs (<see cref="SearchValues{T}"/>) decides whether the source-generated
/// patterns run at all. The keyed patterns keep the name and mask only the value (<c>password=[REDACTED]</c>);
/// stand-alone tokens and private-key blocks are replaced whole. What is deliberately not masked, to keep code,
/// hashes and identifiers intact: bare 40-character base64 strings without a key name (they look like git hashes and
/// base64 data), unquoted assignments with spaces around <c>=</c> (<c>password = GetPassword()</c> is code), and
/// quoted values with spaces (prose). Streamed text is scrubbed with <see cref="SecretStreamScrubber"/>.
/// </remarks>
public sealed partial class SecretScrubber
{
    /// <summary>What replaces a secret.</summary>
    public const string Mask = "[REDACTED]";

    private static readonly string[] SecretNameParts = ["KEY", "TOKEN", "SECRET", "PASSWORD"];
    private readonly string[] _environmentSecrets;

    /// <summary>Creates a scrubber that also masks the secret-named variables of <paramref name="environment"/>.</summary>
    /// <param name="environment">The environment, or <see langword="null"/> for patterns only.</param>
    public SecretScrubber(HostEnvironment? environment = null)
    {
        WarmUpOnce();
        _environmentSecrets = environment is null ? [] : EnvironmentSecrets(environment.Variables);
    }

    private static int _warmedUp;

    /// <summary>
    /// The values of secret-named variables (6 characters or more), each once, longest first (ties in the variables'
    /// order). Plain loops, not LINQ: LINQ's iterators over <c>KeyValuePair&lt;string, string&gt;</c> are generic
    /// instantiations the ReadyToRun image does not hold, JIT-compiled on every run's way to its first request.
    /// </summary>
    private static string[] EnvironmentSecrets(IReadOnlyDictionary<string, string> variables)
    {
        var secrets = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, value) in variables)
        {
            if (value.Length >= 6 && IsSecretName(name) && seen.Add(value))
            {
                // A stable insertion, longest first: a longer secret is masked before a shorter one inside it.
                var at = secrets.Count;
                while (at > 0 && secrets[at - 1].Length < value.Length)
                {
                    at--;
                }

                secrets.Insert(at, value);
            }
        }

        return [.. secrets];
    }

    private static bool IsSecretName(string name)
    {
        foreach (var part in SecretNameParts)
        {
            if (name.Contains(part, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Builds the marker searches, and has their vectorised code compiled, on a pool thread when the first scrubber is
    /// made (about 15 ms of JIT that a ReadyToRun image does not hold): the first scrub of a run, on the way to the
    /// first model request, then finds them ready instead of paying for them.
    /// </summary>
    private static void WarmUpOnce()
    {
        if (Interlocked.Exchange(ref _warmedUp, 1) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static _ => SecretPatterns.WarmUp(), null);
        }
    }

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

        var first = SecretPatterns.IndexOfMarker(text);
        if (first < 0)
        {
            return text;
        }

        if (text.Contains("-----BEGIN", StringComparison.Ordinal))
        {
            text = SecretPatterns.PrivateKey().Replace(text, Mask);
            first = SecretPatterns.IndexOfMarker(text);
        }

        return first < 0 ? text : ScrubLines(text, first);
    }

    /// <summary>
    /// Runs the one-line patterns only on the lines that hold a marker (none of them spans a line break), so a long
    /// file with a few mentions of "token" costs a few short matches, not a scan of every character by every pattern.
    /// </summary>
    private static string ScrubLines(string text, int marker)
    {
        StringBuilder? result = null;
        var copied = 0;
        while (marker >= 0)
        {
            var start = marker == 0 ? 0 : text.LastIndexOf('\n', marker - 1) + 1;
            var end = text.IndexOf('\n', marker);
            end = end < 0 ? text.Length : end;
            var line = text[start..end];
            var clean = SecretPatterns.Token().Replace(SecretPatterns.KeyedValue().Replace(line, MaskValue), Mask);
            if (!string.Equals(clean, line, StringComparison.Ordinal))
            {
                result ??= new StringBuilder(text.Length);
                result.Append(text, copied, start - copied).Append(clean);
                copied = end;
            }

            if (end + 1 >= text.Length)
            {
                break;
            }

            var next = SecretPatterns.IndexOfMarker(text.AsSpan(end + 1));
            marker = next < 0 ? -1 : end + 1 + next;
        }

        return result is null ? text : result.Append(text, copied, text.Length - copied).ToString();
    }

    /// <summary>Keeps the name and punctuation of a keyed secret, masks its value (the group <c>v</c>).</summary>
    private static string MaskValue(Match match)
    {
        var value = match.Groups["v"];
        var start = value.Index - match.Index;
        return string.Concat(match.ValueSpan[..start], Mask, match.ValueSpan[(start + value.Length)..]);
    }
}
