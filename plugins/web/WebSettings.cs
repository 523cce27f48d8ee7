using System.Globalization;

namespace AgentHost.Plugins.Web;

/// <summary>The plugin's settings (<c>plugins.settings.web.*</c>), validated once at registration.</summary>
internal sealed record WebSettings
{
    public const string Prefix = "plugins.settings.web.";

    private static readonly string[] Known =
    [
        "allowed_domains", "denied_domains", "allow_private_addresses", "timeout_ms", "download_timeout_ms", "read_timeout_ms",
        "max_redirects", "max_response_bytes", "max_download_bytes", "max_output_chars", "user_agent",
    ];

    /// <summary>Host patterns a URL must match (every hop); empty allows every domain not denied.</summary>
    public DomainRules Domains { get; init; } = DomainRules.Parse([], []);

    /// <summary>Which non-public addresses may be contacted (none by default).</summary>
    public AddressRules Addresses { get; init; } = AddressRules.PublicOnly;

    /// <summary>The whole fetch, redirects included, must finish within this.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The whole download must finish within this.</summary>
    public TimeSpan DownloadTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Waiting for the response headers, or for any one read of the body, gives up after this.</summary>
    public TimeSpan ReadTimeout { get; init; } = TimeSpan.FromSeconds(15);

    public int MaxRedirects { get; init; } = 5;

    /// <summary>The largest body <c>fetch</c> reads (bytes, after decompression).</summary>
    public long MaxResponseBytes { get; init; } = 5L * 1024 * 1024;

    /// <summary>The largest file <c>download</c> writes (bytes, after decompression).</summary>
    public long MaxDownloadBytes { get; init; } = 100L * 1024 * 1024;

    /// <summary>The default and largest <c>max_length</c> of one <c>fetch</c> page, in characters.</summary>
    public int MaxOutputCharacters { get; init; } = 20_000;

    /// <summary>The User-Agent header: names AgentHost unless the user set another.</summary>
    public string UserAgent { get; init; } = "AgentHost (web tool)";

    /// <summary>Reads and validates the settings.</summary>
    /// <param name="values">The plugin's flattened settings.</param>
    /// <param name="version">The plugin version, for the default User-Agent.</param>
    /// <returns>The settings.</returns>
    /// <exception cref="ArgumentException">A value is invalid; the message names the key and the fix.</exception>
    public static WebSettings Parse(IReadOnlyDictionary<string, string> values, string version)
    {
        var settings = new Dictionary<string, string>(values, StringComparer.OrdinalIgnoreCase);
        foreach (var key in settings.Keys)
        {
            var root = key.Split('.')[0];
            if (!Known.Contains(root, StringComparer.OrdinalIgnoreCase))
            {
                throw new ArgumentException($"{Prefix}{key}: unknown setting; known settings are {string.Join(", ", Known)}.");
            }
        }

        var timeout = Milliseconds(settings, "timeout_ms", 30_000);
        var userAgent = settings.GetValueOrDefault("user_agent")?.Trim();
        if (userAgent is { Length: > 0 } && userAgent.Any(char.IsControl))
        {
            throw new ArgumentException($"{Prefix}user_agent: control characters are not allowed in a User-Agent; write it on one line.");
        }

        return new WebSettings
        {
            Domains = DomainRules.Parse(List(settings, "allowed_domains"), List(settings, "denied_domains"), Prefix),
            Addresses = PrivateAddresses(settings),
            Timeout = timeout,
            DownloadTimeout = Milliseconds(settings, "download_timeout_ms", 300_000),
            ReadTimeout = Milliseconds(settings, "read_timeout_ms", 15_000),
            MaxRedirects = (int)Number(settings, "max_redirects", 5, 0, 20),
            MaxResponseBytes = Number(settings, "max_response_bytes", 5L * 1024 * 1024, 1024, 1L << 30),
            MaxDownloadBytes = Number(settings, "max_download_bytes", 100L * 1024 * 1024, 1024, 1L << 40),
            MaxOutputCharacters = (int)Number(settings, "max_output_chars", 20_000, 1_000, 1_000_000),
            UserAgent = userAgent is { Length: > 0 } ? userAgent : $"AgentHost/{version} (web tool)",
        };
    }

    /// <summary><c>allow_private_addresses</c>: <c>true</c>/<c>false</c>, or a list of addresses, CIDR ranges and host names.</summary>
    private static AddressRules PrivateAddresses(Dictionary<string, string> settings)
    {
        var items = List(settings, "allow_private_addresses");
        if (items.Count == 1 && bool.TryParse(items[0], out var all))
        {
            return all ? AddressRules.AllowAll : AddressRules.PublicOnly;
        }

        return AddressRules.Parse(items, Prefix + "allow_private_addresses");
    }

    private static TimeSpan Milliseconds(Dictionary<string, string> settings, string key, int fallback) =>
        TimeSpan.FromMilliseconds(Number(settings, key, fallback, 1, 24 * 60 * 60 * 1000));

    private static long Number(Dictionary<string, string> settings, string key, long fallback, long min, long max)
    {
        if (!settings.TryGetValue(key, out var text) || string.IsNullOrWhiteSpace(text))
        {
            return fallback;
        }

        return long.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new ArgumentException($"{Prefix}{key}: '{text}' is not a whole number from {min} to {max} (default {fallback}).");
    }

    /// <summary>A YAML list (<c>key.0</c>, <c>key.1</c>…) or one comma-separated value.</summary>
    private static List<string> List(Dictionary<string, string> settings, string key) =>
        [.. settings
            .Where(p => p.Key.Equals(key, StringComparison.OrdinalIgnoreCase) || p.Key.StartsWith(key + ".", StringComparison.OrdinalIgnoreCase))
            .OrderBy(p => int.TryParse(p.Key.AsSpan(p.Key.IndexOf('.', StringComparison.Ordinal) + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : -1)
            .SelectMany(p => p.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Where(v => v.Length > 0)
            .Distinct(StringComparer.OrdinalIgnoreCase)];
}
