using System.Net;

namespace AgentHost.Common.Network;

/// <summary>
/// Which addresses may be contacted: the private-address guard of the web plugin's <c>fetch</c> and <c>download</c>
/// (its <c>allow_private_addresses</c> setting) and of the sandbox's network proxy (<c>sandbox.network_domains</c>).
/// Public addresses always may; a non-public one (see <see cref="AddressClass"/>) only when the setting is
/// <c>true</c>, or lists it (an address or a CIDR range), or lists the host name the request asked for. Multicast and
/// broadcast are never contacted. Shared source (src/Common/Network): the web plugin and the kernel compile the same file.
/// </summary>
internal sealed class AddressRules
{
    /// <summary>How the web plugin's refusals say what would allow the address.</summary>
    public const string WebHint = "unless plugins.settings.web.allow_private_addresses lists them";

    private readonly bool _all;
    private readonly IPNetwork[] _networks;
    private readonly string[] _hosts;
    private readonly string _hint;

    private AddressRules(bool all, IPNetwork[] networks, string[] hosts, string hint = WebHint)
    {
        _all = all;
        _networks = networks;
        _hosts = hosts;
        _hint = hint;
    }

    /// <summary>No private address is allowed (the default).</summary>
    public static AddressRules PublicOnly { get; } = new(false, [], []);

    /// <summary>Every private address is allowed (<c>allow_private_addresses: true</c>).</summary>
    public static AddressRules AllowAll { get; } = new(true, [], []);

    /// <summary>No private address is allowed, and a refusal ends with <paramref name="hint"/> (what would allow it).</summary>
    /// <param name="hint">The end of a refusal, after "private, loopback and link-local addresses are refused ".</param>
    /// <returns>The rules.</returns>
    public static AddressRules PublicOnlyWith(string hint) => new(false, [], [], hint);

    /// <summary>These ranges (and public addresses) are allowed; a refusal ends with <paramref name="hint"/>.</summary>
    /// <param name="networks">The non-public ranges allowed.</param>
    /// <param name="hint">The end of a refusal.</param>
    /// <returns>The rules.</returns>
    public static AddressRules Allowing(IEnumerable<IPNetwork> networks, string hint) => new(false, [.. networks], [], hint);

    /// <summary>Reads a list of addresses (<c>127.0.0.1</c>, <c>::1</c>), CIDR ranges (<c>10.0.0.0/8</c>) and host names (<c>intranet.local</c>).</summary>
    /// <param name="items">The entries.</param>
    /// <param name="key">The setting, for error messages.</param>
    /// <returns>The rules.</returns>
    /// <exception cref="ArgumentException">An entry is none of these.</exception>
    public static AddressRules Parse(IReadOnlyList<string> items, string key)
    {
        var networks = new List<IPNetwork>();
        var hosts = new List<string>();
        foreach (var item in items)
        {
            var text = item.Trim();
            if (IPAddress.TryParse(text.Trim('[', ']'), out var address))
            {
                var canonical = AddressClass.Canonical(address);
                networks.Add(new IPNetwork(canonical, canonical.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128));
            }
            else if (text.Contains('/', StringComparison.Ordinal))
            {
                networks.Add(IPNetwork.TryParse(text, out var network)
                    ? network
                    : throw new ArgumentException($"{key}: '{item}' is not a CIDR range; write it as address/prefix-length with the host bits zero, such as 10.0.0.0/8 or fd00::/8."));
            }
            else if (Uri.CheckHostName(text) == UriHostNameType.Dns)
            {
                hosts.Add(text.TrimEnd('.').ToLowerInvariant());
            }
            else
            {
                throw new ArgumentException($"{key}: '{item}' is not an address, a CIDR range or a host name; write true, false, or a list such as [127.0.0.1, 10.0.0.0/8, intranet.local].");
            }
        }

        return new AddressRules(false, [.. networks], [.. hosts]);
    }

    /// <summary>Why <paramref name="address"/> may not be contacted for <paramref name="host"/>, or <see langword="null"/> when it may.</summary>
    /// <param name="address">A resolved (or literal) address.</param>
    /// <param name="host">The host name the request asked for (lower case, as in the URL).</param>
    /// <returns>The reason.</returns>
    public string? Refusal(IPAddress address, string host)
    {
        var canonical = AddressClass.Canonical(address);
        if (AddressClass.NonPublicKind(canonical) is not { } kind)
        {
            return null;
        }

        if (AddressClass.IsNeverAllowed(kind))
        {
            return $"{canonical} is {kind}, which is never contacted";
        }

        if (_all || _networks.Any(n => n.Contains(canonical)) || _hosts.Contains(host.TrimEnd('.').ToLowerInvariant(), StringComparer.Ordinal))
        {
            return null;
        }

        var via = IPAddress.TryParse(host.Trim('[', ']'), out _) ? string.Empty : $" ({host} resolves to it)";
        return $"{canonical} is {kind}{via}; private, loopback and link-local addresses are refused {_hint}";
    }
}
