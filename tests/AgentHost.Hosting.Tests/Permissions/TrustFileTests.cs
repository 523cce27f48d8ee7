using System.Text;
using System.Text.Json;
using AgentHost.Hosting.Trust;
namespace AgentHost.Hosting.Tests.Permissions;

/// <summary>The trust file's JSON: what is written reads back, and a wrong shape is a JSON error (a warning upstream).</summary>
public sealed class TrustFileTests
{
    [Fact]
    public void Write_ThenParse_KeepsPathsAndTimes()
    {
        var at = new DateTimeOffset(2026, 11, 22, 12, 4, 16, TimeSpan.FromHours(1)).AddTicks(1605948);
        var bytes = TrustFile.Write([new TrustedProject("/srv/app", at), new TrustedProject("/home/me/x y", default)]);

        var text = Encoding.UTF8.GetString(bytes);
        Assert.Contains("\"trusted_at\": \"2026-11-22T12:04:16.1605948+01:00\"", text, StringComparison.Ordinal);
        Assert.Equal([new TrustedProject("/srv/app", at), new TrustedProject("/home/me/x y", default)], TrustFile.Parse(text));
    }

    [Fact]
    public void Parse_SkipsEntriesWithoutAStringPath_AndKeepsTheRest()
    {
        var projects = TrustFile.Parse("""{"version":1,"projects":[{"path":3},{"trusted_at":"2026-01-01T00:00:00Z"},"x",{"path":"/ok","trusted_at":"not a date"}]}""");

        Assert.Equal([new TrustedProject("/ok", default)], projects);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("""{"projects":{"path":"/a"}}""")]
    [InlineData("""{"projects":[""")]
    public void Parse_RejectsAWrongShape_WithAJsonError(string json) =>
        Assert.ThrowsAny<JsonException>(() => TrustFile.Parse(json));
}
