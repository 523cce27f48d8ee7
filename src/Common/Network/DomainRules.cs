using System.Net;

namespace AgentHost.Common.Network;

/// <summary>
/// The <c>allowed_domains</c> and <c>denied_domains</c> settings. A pattern is a host name (<c>example.com</c>, exact),
/// <c>*.example.com</c> (any subdomain, not <c>example.com</c> itself, as in the permission rules' <c>domain:</c>),
/// <c>*</c> (every host), or an IP address. Denied wins over allowed; an empty allow list allows every host not denied.
/// The same matching decides the sandbox's network proxy (<c>sandbox.network_domains</c>, an allow list only).
/// Shared source (src/Common/Network): the web plugin and the kernel compile the same file.
/// </summary>
internal sealed class DomainRules
{
    private readonly string[] _allowed;
    private readonly string[] _denied;
    private readonly string _allowedKey;
    private readonly string _deniedKey;

    private DomainRules(string[] allowed, string[] denied, string allowedKey, string deniedKey)
    {
        _allowed = allowed;
        _denied = denied;
        _allowedKey = allowedKey;
        _deniedKey = deniedKey;
    }

    public bool HasAllowList => _allowed.Length > 0;

    /// <summary>The allow list, normalised.</summary>
    public IReadOnlyList<string> Allowed => _allowed;

    /// <summary>Validates and normalises the patterns (lower case, IDN hosts in their ASCII form).</summary>
    /// <param name="allowed">The allow list.</param>
    /// <param name="denied">The deny list.</param>
    /// <param name="prefix">The settings prefix for error messages.</param>
    /// <returns>The rules.</returns>
    /// <exception cref="ArgumentException">A pattern is not a host, <c>*.host</c>, <c>*</c> or an IP address.</exception>
    public static DomainRules Parse(IReadOnlyList<string> allowed, IReadOnlyList<string> denied, string prefix = "") =>
        Parse(allowed, denied, prefix + "allowed_domains", prefix + "denied_domains");

    /// <summary>Validates and normalises the patterns, naming the settings <paramref name="allowedKey"/> and <paramref name="deniedKey"/>.</summary>
    /// <param name="allowed">The allow list.</param>
    /// <param name="denied">The deny list.</param>
    /// <param name="allowedKey">The allow list's full key (<c>sandbox.network_domains</c>).</param>
    /// <param name="deniedKey">The deny list's full key.</param>
    /// <returns>The rules.</returns>
    /// <exception cref="ArgumentException">A pattern is not a host, <c>*.host</c>, <c>*</c> or an IP address.</exception>
    public static DomainRules Parse(IReadOnlyList<string> allowed, IReadOnlyList<string> denied, string allowedKey, string deniedKey) =>
        new([.. allowed.Select(p => Normalise(p, allowedKey))], [.. denied.Select(p => Normalise(p, deniedKey))], allowedKey, deniedKey);

    /// <summary>One pattern, normalised (lower case, ASCII form), or the error naming <paramref name="key"/> and the fix.</summary>
    /// <param name="pattern">The pattern.</param>
    /// <param name="key">The setting, for the error.</param>
    /// <returns>The normalised pattern.</returns>
    /// <exception cref="ArgumentException">It is not a host, <c>*.host</c>, <c>*</c> or an IP address.</exception>
    public static string NormalisePattern(string pattern, string key) => Normalise(pattern, key);

    /// <summary>Why a URL's host may not be contacted, or <see langword="null"/> when it may.</summary>
    /// <param name="url">An absolute http(s) URL.</param>
    /// <returns>The reason, naming the setting that refused it.</returns>
    public string? Refusal(Uri url) => Refusal(HostOf(url));

    /// <summary>Why a host may not be contacted, or <see langword="null"/> when it may.</summary>
    /// <param name="host">The host as <see cref="HostOf"/> gives it.</param>
    /// <returns>The reason, naming the setting that refused it.</returns>
    public string? Refusal(string host)
    {
        if (_denied.FirstOrDefault(p => Matches(p, host)) is { } denied)
        {
            return $"{host} is denied by the {ShortName(_deniedKey)} entry '{denied}'";
        }

        return _allowed.Length == 0 || _allowed.Any(p => Matches(p, host))
            ? null
            : $"{host} is not in {ShortName(_allowedKey)} ({string.Join(", ", _allowed)}); add it to {_allowedKey} to allow it";
    }

    private static string ShortName(string key) => key[(key.LastIndexOf('.') + 1)..];

    /// <summary>The host as rules see it: lower case, ASCII (punycode) form, no trailing dot, IPv6 without brackets.</summary>
    /// <param name="url">The URL.</param>
    /// <returns>The host.</returns>
    public static string HostOf(Uri url)
    {
        var host = url.IdnHost.ToLowerInvariant().TrimEnd('.');
        var scope = host.IndexOf('%', StringComparison.Ordinal);
        return scope >= 0 ? host[..scope] : host;
    }

    private static bool Matches(string pattern, string host)
    {
        if (pattern == "*")
        {
            return true;
        }

        if (pattern.StartsWith("*.", StringComparison.Ordinal))
        {
            return host.Length > pattern.Length - 1 && host.EndsWith(pattern[1..], StringComparison.Ordinal);
        }

        return IPAddress.TryParse(pattern, out var ip) && IPAddress.TryParse(host, out var hostIp) ? ip.Equals(hostIp) : pattern == host;
    }

    private static string Normalise(string pattern, string key)
    {
        var text = pattern.Trim().TrimEnd('.').ToLowerInvariant();
        if (text == "*")
        {
            return text;
        }

        if (IPAddress.TryParse(text.Trim('[', ']'), out var ip))
        {
            return ip.ToString();
        }

        var wildcard = text.StartsWith("*.", StringComparison.Ordinal);
        var name = wildcard ? text[2..] : text;
        if (name.Length == 0 || name.Contains('*', StringComparison.Ordinal) || name.Contains('/', StringComparison.Ordinal) || name.Contains(':', StringComparison.Ordinal)
            || !Uri.TryCreate("http://" + name + "/", UriKind.Absolute, out var uri) || uri.HostNameType != UriHostNameType.Dns)
        {
            throw new ArgumentException(
                $"{key}: '{pattern}' is not a domain pattern; write a host name such as 'example.com', '*.example.com' for its subdomains, '*' for all, or an IP address (no scheme, port or path).");
        }

        var ascii = uri.IdnHost.ToLowerInvariant().TrimEnd('.');
        return wildcard ? "*." + ascii : ascii;
    }
}
