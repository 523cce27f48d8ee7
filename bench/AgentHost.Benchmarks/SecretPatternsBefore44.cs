using System.Buffers;
using System.Text.RegularExpressions;

namespace AgentHost.Benchmarks;

/// <summary>
/// The secret scrubber as it was before issue #44 (2f56733): hand-written source-generated patterns behind a marker
/// search, kept here, unchanged, as the reference of <see cref="SecretScrubberBenchmarks"/> (the data-driven rules of
/// <c>secret-rules.yaml</c> replaced it).
/// </summary>
internal static partial class SecretPatternsBefore44
{
    /// <summary>Names whose value is a secret in <c>name: "value"</c>, <c>name="value"</c>, <c>NAME=value</c> and YAML <c>name: value</c> lines.</summary>
    private const string SecretNames = "(?:password|passwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|credentials?)";

    /// <summary>The end of a line, also inside a JSON string (an escaped line break or the closing quote).</summary>
    private const string LineEnd = @"[ \t]*(?:\r?$|\\[nr]|"")";

    /// <summary>
    /// The rest of a secret's name: a name ending like these says where or what the secret is, not the secret
    /// (<c>api_key_env</c>, <c>secretName</c>, <c>token_url</c>, <c>SECRET_KEY_LENGTH</c>), like the configuration's own rule.
    /// </summary>
    private const string NameRest = @"[\w.-]*(?<!name|id|env|file|command|path|type|length|count|size|url|ref)";

    /// <summary>
    /// Words after which a value may follow on the same line (<c>password = …</c>, <c>Authorization: Basic …</c>):
    /// a stream holds text back after them until the line ends .
    /// </summary>
    private static readonly string[] KeyWords =
    [
        "password", "passwd", "secret", "token", "api_key", "api-key", "apikey", "access_key", "access-key", "accesskey",
        "private_key", "private-key", "credential", "accountkey", "sharedaccesskey", "authorization", "bearer",
        ":_auth", ":_password", "x-amz-",
    ];

    /// <summary>Every pattern needs one of these (case-insensitive): text without any of them has no secret.</summary>
    private static readonly string[] Markers =
    [
        .. KeyWords,
        "-----BEGIN", "sig=", "://", "sk-", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_",
        "glpat-", "gldt-", "glrt-", "glptt-", "glsoat-", "glcbt-", "glffct-", "gloas-", "glimt-", "glagent-",
        "akia", "asia", "abia", "acca", "xox", "xapp-", "hooks.slack.com", "aiza", "gocspx-", "ya29.", "npm_",
        "sk_live_", "sk_test_", "rk_live_", "rk_test_", "whsec_", "eyj",
    ];

    private static readonly SearchValues<string> MarkerValues = SearchValues.Create(Markers, StringComparison.OrdinalIgnoreCase);
    private static readonly SearchValues<string> KeyWordValues = SearchValues.Create(KeyWords, StringComparison.OrdinalIgnoreCase);

    /// <summary>The first marker that some pattern needs in <paramref name="text"/>, or -1 (a vectorised search).</summary>
    public static int IndexOfMarker(ReadOnlySpan<char> text) => text.IndexOfAny(MarkerValues);

    /// <summary>Runs both searches once, so that they are built and their code compiled.</summary>
    public static void WarmUp() => _ = IndexOfMarker("warm-up") + IndexOfKeyWord("warm-up");

    /// <summary>The first key word (see <see cref="KeyWords"/>) in <paramref name="text"/>, or -1.</summary>
    public static int IndexOfKeyWord(ReadOnlySpan<char> text) => text.IndexOfAny(KeyWordValues);

    /// <summary>A PEM private key block (RSA, EC, DSA, OPENSSH, ENCRYPTED, PGP …), also with JSON-escaped line breaks, or its start when the end is missing.</summary>
    [GeneratedRegex(
        @"-----BEGIN[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----(?:[\s\S]*?-----END[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----|[A-Za-z0-9+/=\s\\:,().-]*)",
        RegexOptions.CultureInvariant)]
    public static partial Regex PrivateKey();

    /// <summary>A secret that follows a name; the group <c>v</c> is the value (the rest is kept).</summary>
    [GeneratedRegex(
        // AWS secret access keys and session tokens: INI, env, YAML, JSON (SecretAccessKey) and code.
        @"(?:secret[_-]?access[_-]?key|session[_-]?token|security[_-]?token)\\?[""']?[ \t]*(?:=>|[:=])[ \t]*\\?[""']?(?<v>[A-Za-z0-9/+=]{40,})(?![A-Za-z0-9/+=])" +
        // Azure storage / service bus connection strings, presigned URLs, npm auth in .npmrc.
        @"|(?:AccountKey|SharedAccessKey|SharedSecretValue|X-Amz-Signature|X-Amz-Security-Token|:_authToken|:_auth|:_password)[ \t]*=[ \t]*[""']?(?!\$\{)(?<v>[^\s""'&;<>\\]{8,})" +
        // Azure SAS signatures.
        @"|[?&;]sig=(?<v>[A-Za-z0-9%+/=]{16,})" +
        // Bearer tokens: with a digit, or long (so that "Bearer authentication" stays).
        @"|\bbearer[ \t]+(?<v>(?=[A-Za-z._~+/=-]*[0-9])[A-Za-z0-9._~+/=-]{8,}|[A-Za-z0-9._~+/=-]{20,})" +
        // Authorization: Basic <base64>.
        @"|authorization\\?[""']?[ \t]*[:=][ \t]*\\?[""']?(?:basic|digest)[ \t]+(?<v>[A-Za-z0-9+/=]{8,})" +
        // The password of a URL: scheme://user:password@host.
        @"|://[^\s:/@""'<>\\]+:(?<v>[^\s/@""'<>\\]+)@" +
        // name: "value", name = 'value', "name":"value" (also JSON-escaped quotes): one word of 8+ characters.
        @"|" + SecretNames + NameRest + @"\\?[""']?[ \t]*(?::=|=>|[:=])[ \t]*(?<q>\\?[""'])(?!\$\{|\{\{)(?<v>[^""'\s\\]{8,})\k<q>" +
        // NAME=value (env files, query strings, --flags): no spaces around '=', ended by a space, '&', '#', ';', a quote or the line end.
        @"|" + SecretNames + NameRest + @"=(?![=>\s""'$])(?![0-9]+(?:[\s&#;""'\\]|$))(?<v>[^\s""'&;,()<>{}$\[\]`\\]{8,})(?=[\s&#;""'\\]|$)" +
        // A YAML line "name: value" whose value is one word (not a dotted code path, not a number). The line-start check
        // is a look-behind after the name (which it spans), so the pattern still starts with literal names: fast.
        @"|" + SecretNames + @"(?<=(?:^|\\n)(?:[^\s:]+:[0-9]+:|[ \t]*[0-9]+(?:\t|\\t))?[ \t]*(?:-[ \t]+)?[""']?[\w.-]*)" + NameRest + @"[""']?:[ \t]+(?![|>&*!""'$\[{#])(?![0-9]+" + LineEnd + @")(?![A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+" + LineEnd + @")(?<v>[^\s#,;(){}""\\]{8,})(?=" + LineEnd + ")",
        RegexOptions.IgnoreCase | RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    public static partial Regex KeyedValue();

    /// <summary>Stand-alone tokens whose shape alone says they are secrets; replaced whole.</summary>
    [GeneratedRegex(
        @"\bsk-(?:proj-|ant-(?:api|admin)[0-9]{2}-|svcacct-|admin-)?(?=[A-Za-z_-]*[0-9])[A-Za-z0-9_-]{20,}" + // OpenAI, Anthropic
        @"|\bgh[pousr]_[A-Za-z0-9]{30,}|\bgithub_pat_[A-Za-z0-9_]{22,}" + // GitHub
        @"|\bgl(?:pat|dt|rt|ptt|soat|cbt|ffct|oas|imt|agent)-[A-Za-z0-9_-]{20,}" + // GitLab
        @"|\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b" + // AWS access key ids
        @"|\bxox[abeoprs]-[A-Za-z0-9-]{10,}|\bxapp-[0-9]-[A-Za-z0-9-]{10,}" + // Slack tokens
        @"|hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9/_-]{10,}" + // Slack webhooks
        @"|\bAIza[0-9A-Za-z_-]{35}|\bGOCSPX-[A-Za-z0-9_-]{20,}|\bya29\.[0-9A-Za-z_-]{20,}" + // Google
        @"|\bnpm_[A-Za-z0-9]{36}\b" + // npm
        @"|\b[rs]k_(?:live|test)_[A-Za-z0-9]{16,}|\bwhsec_[A-Za-z0-9+/=]{24,}" + // Stripe
        @"|\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}", // JWT
        RegexOptions.CultureInvariant)]
    public static partial Regex Token();

    /// <summary>The pattern part of the old <c>SecretScrubber.Scrub</c> (no environment secrets).</summary>
    public static string Scrub(string text)
    {
        var first = IndexOfMarker(text);
        if (first < 0)
        {
            return text;
        }

        if (text.Contains("-----BEGIN", StringComparison.Ordinal))
        {
            text = PrivateKey().Replace(text, "[REDACTED]");
            first = IndexOfMarker(text);
        }

        return first < 0 ? text : ScrubLines(text, first);
    }

    private static string ScrubLines(string text, int marker)
    {
        System.Text.StringBuilder? result = null;
        var copied = 0;
        while (marker >= 0)
        {
            var start = marker == 0 ? 0 : text.LastIndexOf('\n', marker - 1) + 1;
            var end = text.IndexOf('\n', marker);
            end = end < 0 ? text.Length : end;
            var line = text[start..end];
            var clean = Token().Replace(KeyedValue().Replace(line, MaskValue), "[REDACTED]");
            if (!string.Equals(clean, line, StringComparison.Ordinal))
            {
                result ??= new System.Text.StringBuilder(text.Length);
                result.Append(text, copied, start - copied).Append(clean);
                copied = end;
            }

            if (end + 1 >= text.Length)
            {
                break;
            }

            var next = IndexOfMarker(text.AsSpan(end + 1));
            marker = next < 0 ? -1 : end + 1 + next;
        }

        return result is null ? text : result.Append(text, copied, text.Length - copied).ToString();
    }

    private static string MaskValue(Match match)
    {
        var value = match.Groups["v"];
        var start = value.Index - match.Index;
        return string.Concat(match.ValueSpan[..start], "[REDACTED]", match.ValueSpan[(start + value.Length)..]);
    }
}
