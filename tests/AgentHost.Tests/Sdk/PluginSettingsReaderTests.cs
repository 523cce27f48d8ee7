using AgentHost.Sdk;

namespace AgentHost.Tests.Sdk;

/// <summary>The SDK helper plugins use to read <c>plugins.settings.&lt;id&gt;.*</c>: values, defaults, ranges, lists and errors.</summary>
public sealed class PluginSettingsReaderTests
{
    private static PluginSettingsReader Reader(params (string Key, string Value)[] values) =>
        new("acme", values.ToDictionary(v => v.Key, v => v.Value));

    private static string ErrorOf(Action read) => Assert.Throws<ArgumentException>(read).Message;

    [Fact]
    public void Prefix_NamesThePluginSection()
    {
        Assert.Equal("plugins.settings.acme.", Reader().Prefix);
    }

    [Fact]
    public void Constructor_WithKnownKeys_RefusesAnUnknownKey_AndListsTheKnownOnes()
    {
        var values = new Dictionary<string, string> { ["timeout_ms"] = "5", ["max_redirect"] = "3" };

        var error = ErrorOf(() => _ = new PluginSettingsReader("acme", values, ["timeout_ms", "max_redirects"]));

        Assert.Equal("plugins.settings.acme.max_redirect: unknown setting; known settings are timeout_ms, max_redirects.", error);
    }

    [Fact]
    public void Constructor_WithKnownKeys_AcceptsListItemsAndAnyCase()
    {
        var values = new Dictionary<string, string> { ["Banned.0"] = "curl", ["TIMEOUT_MS"] = "5" };

        var reader = new PluginSettingsReader("acme", values, ["banned", "timeout_ms"]);

        Assert.Equal(["curl"], reader.GetList("banned"));
        Assert.Equal(5, reader.GetInteger("timeout_ms", 1, 1, 10));
    }

    [Fact]
    public void Constructor_WithoutKnownKeys_AcceptsEveryKey()
    {
        var reader = Reader(("anything", "x"));

        Assert.Equal("x", reader.GetString("anything"));
    }

    [Fact]
    public void Constructor_RefusesAKeyGivenTwiceInDifferentCase()
    {
        var values = new Dictionary<string, string> { ["url"] = "a", ["URL"] = "b" };

        var error = ErrorOf(() => _ = new PluginSettingsReader("acme", values));

        Assert.StartsWith("plugins.settings.acme.URL: the setting is given twice", error, StringComparison.Ordinal);
    }

    [Fact]
    public void GetString_TrimsAndIgnoresCase_AndIsNullWhenMissingOrBlank()
    {
        var reader = Reader(("Program", "  bash "), ("blank", "   "));

        Assert.Equal("bash", reader.GetString("program"));
        Assert.Null(reader.GetString("blank"));
        Assert.Null(reader.GetString("missing"));
    }

    [Fact]
    public void GetString_RefusesAListWhereOneValueBelongs()
    {
        var error = ErrorOf(() => Reader(("program.0", "bash")).GetString("program"));

        Assert.StartsWith("plugins.settings.acme.program: expected one value but found a list or map (plugins.settings.acme.program.0)", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, 5)]
    [InlineData(" ", 5)]
    [InlineData("0", 0)]
    [InlineData(" 100 ", 100)]
    [InlineData("-3", -3)]
    public void GetInteger_ReadsTheValueOrTheFallback(string? text, long expected)
    {
        var reader = text is null ? Reader() : Reader(("max_jobs", text));

        Assert.Equal(expected, reader.GetInteger("max_jobs", 5, -10, 100));
    }

    [Fact]
    public void GetInteger_HandlesValuesBeyondInt()
    {
        Assert.Equal(1L << 40, Reader(("max_bytes", "1099511627776")).GetInteger("max_bytes", 1024, 1024, 1L << 40));
    }

    [Theory]
    [InlineData("101")]
    [InlineData("-11")]
    [InlineData("soon")]
    [InlineData("1.5")]
    public void GetInteger_RefusesTextOrOutOfRange_NamingKeyRangeAndDefault(string text)
    {
        var error = ErrorOf(() => Reader(("max_jobs", text)).GetInteger("max_jobs", 5, -10, 100));

        Assert.Equal($"plugins.settings.acme.max_jobs: '{text}' is not a whole number from -10 to 100 (default 5).", error);
    }

    [Fact]
    public void GetMilliseconds_ReadsADuration_OrTheFallback()
    {
        var reader = Reader(("timeout_ms", "1500"));

        Assert.Equal(TimeSpan.FromMilliseconds(1500), reader.GetMilliseconds("timeout_ms", 30_000));
        Assert.Equal(TimeSpan.FromSeconds(30), reader.GetMilliseconds("read_timeout_ms", 30_000));
        Assert.Equal(TimeSpan.FromHours(24), Reader(("timeout_ms", "86400000")).GetMilliseconds("timeout_ms", 1));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("86400001")]
    public void GetMilliseconds_RefusesZeroAndMoreThanADay(string text)
    {
        var error = ErrorOf(() => Reader(("timeout_ms", text)).GetMilliseconds("timeout_ms", 30_000));

        Assert.Equal($"plugins.settings.acme.timeout_ms: '{text}' is not a whole number from 1 to 86400000 (default 30000).", error);
    }

    [Theory]
    [InlineData("true", false, true)]
    [InlineData(" FALSE ", true, false)]
    [InlineData("True", false, true)]
    [InlineData("", true, true)]
    [InlineData("", false, false)]
    public void GetBoolean_ReadsTrueOrFalse_OrTheFallback(string text, bool fallback, bool expected)
    {
        Assert.Equal(expected, Reader(("verbose", text)).GetBoolean("verbose", fallback));
    }

    [Fact]
    public void GetBoolean_RefusesOtherText_NamingTheKeyAndDefault()
    {
        var error = ErrorOf(() => Reader(("verbose", "yes")).GetBoolean("verbose", false));

        Assert.Equal("plugins.settings.acme.verbose: 'yes' is not true or false (default false).", error);
    }

    [Fact]
    public void GetBoolean_AddsTheFixToTheMessage()
    {
        var error = ErrorOf(() => Reader(("verbose", "sometimes")).GetBoolean("verbose", true, "set it to false to be quiet"));

        Assert.Equal("plugins.settings.acme.verbose: 'sometimes' is not true or false; set it to false to be quiet (default true).", error);
    }

    [Fact]
    public void GetList_ReadsYamlItemsInIndexOrder_NotKeyOrder()
    {
        var reader = Reader(("hosts.10", "k.example"), ("hosts.2", "c.example"), ("hosts.0", "a.example"), ("hosts.1", "b.example"));

        Assert.Equal(["a.example", "b.example", "c.example", "k.example"], reader.GetList("hosts"));
    }

    [Fact]
    public void GetList_SplitsOneCommaSeparatedValue_TrimsDropsBlanksAndDuplicates()
    {
        var reader = Reader(("hosts", " a.example, ,B.example,b.EXAMPLE , a.example,"));

        Assert.Equal(["a.example", "B.example"], reader.GetList("hosts"));
    }

    [Fact]
    public void GetList_SplitsCommasInsideItems_AndIgnoresOtherKeysWithTheSamePrefix()
    {
        var reader = Reader(("hosts.0", "a, b"), ("hosts.1", "c"), ("hosts_extra", "z"), ("HOSTS.2", "d"));

        Assert.Equal(["a", "b", "c", "d"], reader.GetList("hosts"));
    }

    [Fact]
    public void GetList_IsEmptyWhenMissing()
    {
        Assert.Empty(Reader().GetList("hosts"));
    }
}
