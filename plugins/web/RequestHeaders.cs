using System.Net.Http.Headers;
using AgentHost.Sdk.Tools;

namespace AgentHost.Plugins.Web;

/// <summary>
/// The <c>headers</c> a <c>fetch</c> call asks for (an API's <c>Authorization</c>, an <c>Accept</c> for JSON, …):
/// checked before anything is sent, and sent only to the URL's own origin — a redirect to another scheme, host or port
/// gets none of them, as browsers drop credentials across origins.
/// </summary>
internal sealed class RequestHeaders
{
    /// <summary>The most headers one call may set.</summary>
    public const int MaxCount = 20;

    /// <summary>The longest value, in characters.</summary>
    public const int MaxValueLength = 8192;

    /// <summary>Headers the HTTP stack owns: setting them would break or smuggle the request.</summary>
    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive", "Upgrade", "TE", "Trailer",
        "Proxy-Authorization", "Proxy-Connection", "Expect",
    };

    private RequestHeaders(IReadOnlyList<KeyValuePair<string, string>> values) => Values = values;

    /// <summary>No headers.</summary>
    public static RequestHeaders None { get; } = new([]);

    /// <summary>The headers, in the order given.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Values { get; }

    /// <summary>A key for the page cache: pages fetched with other headers are other pages (values are hashed, never kept).</summary>
    public string CacheKey => Values.Count == 0 ? string.Empty
        : "#h" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(string.Join('\n', Values.Select(v => v.Key.ToLowerInvariant() + ":" + v.Value)))));

    /// <summary>Checks the call's <c>headers</c> argument.</summary>
    /// <param name="headers">The names and values, or <see langword="null"/>.</param>
    /// <returns>The headers.</returns>
    /// <exception cref="ToolException">A name or value cannot be sent; the message names it and why.</exception>
    public static RequestHeaders Parse(IReadOnlyDictionary<string, string>? headers)
    {
        if (headers is null || headers.Count == 0)
        {
            return None;
        }

        if (headers.Count > MaxCount)
        {
            throw new ToolException($"headers: {headers.Count} headers given; at most {MaxCount}.");
        }

        var values = new List<KeyValuePair<string, string>>();
        using var probe = new HttpRequestMessage();
        foreach (var (name, value) in headers)
        {
            var trimmed = name.Trim();
            if (trimmed.Length == 0 || trimmed.Any(c => c <= ' ' || c >= 127 || "()<>@,;:\\\"/[]?={}".Contains(c, StringComparison.Ordinal)))
            {
                throw new ToolException($"headers: '{name}' is not a header name (letters, digits and - only, such as Authorization or Accept).");
            }

            if (Reserved.Contains(trimmed))
            {
                throw new ToolException($"headers: {trimmed} is set by the HTTP client itself and cannot be given.");
            }

            if (value is null || value.Length > MaxValueLength || value.Any(c => c is '\r' or '\n' or '\0'))
            {
                throw new ToolException($"headers: the value of {trimmed} must be one line of at most {MaxValueLength} characters.");
            }

            if (!probe.Headers.TryAddWithoutValidation(trimmed, value))
            {
                throw new ToolException($"headers: {trimmed} describes a request body, and fetch sends none; leave it out.");
            }

            values.Add(new(trimmed, value));
        }

        return new RequestHeaders(values);
    }

    /// <summary>Puts the headers on a request to <paramref name="target"/> when it has the origin of <paramref name="origin"/>.</summary>
    /// <param name="request">The request (its defaults are replaced by a header of the same name).</param>
    /// <param name="origin">The URL the call named.</param>
    /// <param name="target">The URL this request goes to (after redirects).</param>
    public void Apply(HttpRequestMessage request, Uri origin, Uri target)
    {
        if (Values.Count == 0 || Uri.Compare(origin, target, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) != 0)
        {
            return;
        }

        foreach (var (name, value) in Values)
        {
            request.Headers.Remove(name);
            request.Headers.TryAddWithoutValidation(name, value);
        }
    }
}
