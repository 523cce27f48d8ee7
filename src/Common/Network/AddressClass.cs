using System.Net;
using System.Net.Sockets;

namespace AgentHost.Common.Network;

/// <summary>
/// Names the kind of an address that is not on the public internet: private, loopback, link-local, unique-local,
/// CGNAT, unspecified, multicast, reserved, documentation and benchmarking ranges, and the IPv6 forms that embed an
/// IPv4 address (IPv4-mapped, IPv4-compatible, NAT64, 6to4) when the embedded address is one of those.
/// </summary>
internal static class AddressClass
{
    /// <summary>The address to check: an IPv4-mapped IPv6 address (<c>::ffff:127.0.0.1</c>) becomes its IPv4 form.</summary>
    /// <param name="address">The address.</param>
    /// <returns>The canonical address.</returns>
    public static IPAddress Canonical(IPAddress address) =>
        address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    /// <summary>What kind of non-public address this is, or <see langword="null"/> for a public address.</summary>
    /// <param name="address">The address.</param>
    /// <returns>A description such as <c>a loopback address (127.0.0.0/8)</c>.</returns>
    public static string? NonPublicKind(IPAddress address)
    {
        address = Canonical(address);
        return address.AddressFamily == AddressFamily.InterNetwork ? IPv4Kind(address.GetAddressBytes()) : IPv6Kind(address);
    }

    /// <summary>Whether no TCP connection can be made to the kind (multicast, broadcast): refused even when private addresses are allowed.</summary>
    /// <param name="kind">A kind from <see cref="NonPublicKind"/>.</param>
    /// <returns>Whether the address is never contacted.</returns>
    public static bool IsNeverAllowed(string kind) => kind.Contains("multicast", StringComparison.Ordinal) || kind.Contains("broadcast", StringComparison.Ordinal);

    private static string? IPv4Kind(byte[] b) => (b[0], b[1]) switch
    {
        (0, _) => "an unspecified address ('this network', 0.0.0.0/8)",
        (10, _) => "a private address (10.0.0.0/8)",
        (100, >= 64 and <= 127) => "a shared carrier-grade NAT address (100.64.0.0/10)",
        (127, _) => "a loopback address (127.0.0.0/8)",
        (169, 254) => b[2] == 169 && b[3] == 254 ? "a link-local address (169.254.0.0/16, the cloud metadata service)" : "a link-local address (169.254.0.0/16)",
        (172, >= 16 and <= 31) => "a private address (172.16.0.0/12)",
        (192, 0) when b[2] == 0 => "a reserved address (IETF protocol assignments, 192.0.0.0/24)",
        (192, 0) when b[2] == 2 => "a documentation address (192.0.2.0/24)",
        (192, 88) when b[2] == 99 => "a reserved address (6to4 relay, 192.88.99.0/24)",
        (192, 168) => "a private address (192.168.0.0/16)",
        (198, 18 or 19) => "a benchmarking address (198.18.0.0/15)",
        (198, 51) when b[2] == 100 => "a documentation address (198.51.100.0/24)",
        (203, 0) when b[2] == 113 => "a documentation address (203.0.113.0/24)",
        (>= 224 and <= 239, _) => "a multicast address (224.0.0.0/4)",
        (255, 255) when b[2] == 255 && b[3] == 255 => "the broadcast address (255.255.255.255)",
        (>= 240, _) => "a reserved address (240.0.0.0/4)",
        _ => null,
    };

    private static string? IPv6Kind(IPAddress address)
    {
        if (address.Equals(IPAddress.IPv6Any))
        {
            return "the unspecified address (::)";
        }

        if (address.Equals(IPAddress.IPv6Loopback))
        {
            return "the loopback address (::1)";
        }

        var b = address.GetAddressBytes();
        if (b[0] == 0xff)
        {
            return "a multicast address (ff00::/8)";
        }

        if ((b[0] & 0xfe) == 0xfc)
        {
            return "a unique-local address (fc00::/7)";
        }

        if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
        {
            return "a link-local address (fe80::/10)";
        }

        if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0)
        {
            return "a site-local address (fec0::/10)";
        }

        if (b.Take(12).All(x => x == 0))
        {
            // IPv4-compatible (::a.b.c.d), deprecated: decided by the address it embeds.
            return Embedded("IPv4-compatible", b, 12) ?? "a reserved address (::/96)";
        }

        if (Prefix(b, 0x00, 0x64, 0xff, 0x9b) && b.Skip(4).Take(8).All(x => x == 0))
        {
            return Embedded("NAT64", b, 12);
        }

        if (Prefix(b, 0x00, 0x64, 0xff, 0x9b) && b[4] == 0 && b[5] == 1)
        {
            return "a local-use NAT64 address (64:ff9b:1::/48)";
        }

        if (Prefix(b, 0x01, 0x00) && b.Skip(2).Take(6).All(x => x == 0))
        {
            return "a discard-only address (100::/64)";
        }

        if (Prefix(b, 0x20, 0x01, 0x0d, 0xb8))
        {
            return "a documentation address (2001:db8::/32)";
        }

        if (Prefix(b, 0x20, 0x01, 0x00, 0x00))
        {
            return "a Teredo tunnel address (2001::/32)";
        }

        if (Prefix(b, 0x20, 0x02))
        {
            return Embedded("6to4", b, 2);
        }

        return null;
    }

    private static string? Embedded(string form, byte[] bytes, int offset)
    {
        var v4 = new IPAddress(bytes.AsSpan(offset, 4));
        return IPv4Kind(v4.GetAddressBytes()) is { } kind ? $"{kind} in {form} form ({v4})" : null;
    }

    private static bool Prefix(byte[] bytes, params byte[] prefix) => bytes.AsSpan().StartsWith(prefix);
}
