using System.Text;

namespace AgentHost.Hosting.Security;

/// <summary>
/// Removes secrets from text before it is stored, logged or emitted as an event, by the data-driven rules of a
/// <see cref="SecretRuleSet"/> (the built-in <c>secret-rules.yaml</c>: private key blocks, AWS access key ids and secret
/// access keys, GitHub, GitLab, Slack, Google, Azure, npm, Stripe, OpenAI, Anthropic and other tokens, JWTs, bearer and
/// basic credentials, passwords in URLs and connection strings, and secret-named assignments; plus any configured in
/// <c>secrets.rules</c>), and the values of environment variables whose names contain KEY, TOKEN, SECRET or PASSWORD.
/// </summary>
/// <remarks>
/// Immutable and thread-safe; create one per process environment. Fast on the common path: a vectorised search for the
/// rules' keywords (<see cref="SecretRuleSet"/>) decides whether, and which, expressions run at all, and only on the
/// lines that hold a keyword. Keyed rules keep the name and mask only the value (<c>password=[REDACTED]</c>); tokens and
/// private-key blocks are replaced whole. What is deliberately not masked, to keep code, hashes and identifiers intact:
/// bare 40-character base64 strings with no key name or AWS mention on their line (they look like hashes and base64
/// data), unquoted assignments with spaces around <c>=</c> unless the value looks random (<c>password = GetPassword()</c>
/// is code), and quoted values with spaces (prose). Streamed text is scrubbed with <see cref="SecretStreamScrubber"/>.
/// </remarks>
public sealed class SecretScrubber
{
    /// <summary>What replaces a secret.</summary>
    public const string Mask = "[REDACTED]";

    private static readonly string[] SecretNameParts = ["KEY", "TOKEN", "SECRET", "PASSWORD"];
    private readonly string[] _environmentSecrets;

    /// <summary>The rules, or <see langword="null"/> for the built-in ones (loaded on first use, or by the warm-up).</summary>
    private readonly SecretRuleSet? _rules;

    /// <summary>Creates a scrubber with the built-in rules that also masks the secret-named variables of <paramref name="environment"/>.</summary>
    /// <param name="environment">The environment, or <see langword="null"/> for patterns only.</param>
    public SecretScrubber(HostEnvironment? environment = null)
        : this(environment, null)
    {
    }

    /// <summary>Creates a scrubber with <paramref name="rules"/> that also masks the secret-named variables of <paramref name="environment"/>.</summary>
    /// <param name="environment">The environment, or <see langword="null"/> for patterns only.</param>
    /// <param name="rules">The rules (e.g. the built-in ones with the configured ones), or <see langword="null"/> for the built-in ones.</param>
    public SecretScrubber(HostEnvironment? environment, SecretRuleSet? rules)
    {
        WarmUpOnce();
        _rules = rules;
        _environmentSecrets = environment is null ? [] : EnvironmentSecrets(environment.Variables);
    }

    /// <summary>The rules this scrubber applies.</summary>
    public SecretRuleSet Rules => _rules ?? SecretRuleSet.BuiltIn;

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
    /// Loads the built-in rules and builds their keyword searches, and has the searches' vectorised code compiled, on a
    /// pool thread when the first scrubber is made (JIT that a ReadyToRun image does not hold): the first scrub of a
    /// run, on the way to the first model request, then finds them ready instead of paying for them.
    /// </summary>
    private static void WarmUpOnce()
    {
        if (Interlocked.Exchange(ref _warmedUp, 1) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static _ => WarmUp(), null);
        }
    }

    private static void WarmUp()
    {
        try
        {
            SecretRuleSet.BuiltIn.WarmUp();
        }
        catch (AgentHostException)
        {
            // Broken built-in rules (a build defect): the first scrub throws the same error where it can be reported.
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

        var rules = Rules;
        var first = rules.IndexOfKeyword(text);
        if (first < 0)
        {
            return text;
        }

        foreach (var block in rules.BlockRules)
        {
            if (SecretRuleSet.HasKeyword(block, text))
            {
                text = block.Mask(text);
            }
        }

        first = rules.IndexOfKeyword(text);
        return first < 0 ? text : ScrubLines(rules, text, first);
    }

    /// <summary>
    /// Runs the line rules only on the lines that hold a keyword (none of them spans a line break), so a long file with
    /// a few mentions of "token" costs a few short matches, not a scan of every character by every rule.
    /// </summary>
    private static string ScrubLines(SecretRuleSet rules, string text, int keyword)
    {
        StringBuilder? result = null;
        var copied = 0;
        while (keyword >= 0)
        {
            var start = keyword == 0 ? 0 : text.LastIndexOf('\n', keyword - 1) + 1;
            var end = text.IndexOf('\n', keyword);
            end = end < 0 ? text.Length : end;
            var line = text[start..end];
            var clean = rules.ScrubLine(line);
            if (!ReferenceEquals(clean, line) && !string.Equals(clean, line, StringComparison.Ordinal))
            {
                result ??= new StringBuilder(text.Length);
                result.Append(text, copied, start - copied).Append(clean);
                copied = end;
            }

            if (end + 1 >= text.Length)
            {
                break;
            }

            var next = rules.IndexOfKeyword(text.AsSpan(end + 1));
            keyword = next < 0 ? -1 : end + 1 + next;
        }

        return result is null ? text : result.Append(text, copied, text.Length - copied).ToString();
    }
}
