using AgentHost.Sdk;

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
        var settings = new PluginSettingsReader("web", values, Known);
        var timeout = settings.GetMilliseconds("timeout_ms", 30_000);
        var userAgent = settings.GetString("user_agent");
        if (userAgent is not null && userAgent.Any(char.IsControl))
        {
            throw new ArgumentException($"{Prefix}user_agent: control characters are not allowed in a User-Agent; write it on one line.");
        }

        return new WebSettings
        {
            Domains = DomainRules.Parse(settings.GetList("allowed_domains"), settings.GetList("denied_domains"), Prefix),
            Addresses = PrivateAddresses(settings),
            Timeout = timeout,
            DownloadTimeout = settings.GetMilliseconds("download_timeout_ms", 300_000),
            ReadTimeout = settings.GetMilliseconds("read_timeout_ms", 15_000),
            MaxRedirects = (int)settings.GetInteger("max_redirects", 5, 0, 20),
            MaxResponseBytes = settings.GetInteger("max_response_bytes", 5L * 1024 * 1024, 1024, 1L << 30),
            MaxDownloadBytes = settings.GetInteger("max_download_bytes", 100L * 1024 * 1024, 1024, 1L << 40),
            MaxOutputCharacters = (int)settings.GetInteger("max_output_chars", 20_000, 1_000, 1_000_000),
            UserAgent = userAgent ?? $"AgentHost/{version} (web tool)",
        };
    }

    /// <summary><c>allow_private_addresses</c>: <c>true</c>/<c>false</c>, or a list of addresses, CIDR ranges and host names.</summary>
    private static AddressRules PrivateAddresses(PluginSettingsReader settings)
    {
        var items = settings.GetList("allow_private_addresses");
        if (items.Count == 1 && bool.TryParse(items[0], out var all))
        {
            return all ? AddressRules.AllowAll : AddressRules.PublicOnly;
        }

        return AddressRules.Parse(items, Prefix + "allow_private_addresses");
    }
}
