using AgentHost.Hosting.Security;
namespace AgentHost.Tests.Security;

public sealed class SecretScrubberTests
{
    private static readonly IReadOnlyList<SecretSample> Corpus = SecretCorpus.Create();
    private static readonly System.Text.Json.JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static TheoryData<string> Formats()
    {
        var data = new TheoryData<string>();
        foreach (var sample in Corpus)
        {
            data.Add(sample.Format);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void Scrub_MasksEveryFormatOfTheCorpus(string format)
    {
        var sample = Corpus.Single(s => s.Format == format);

        var scrubbed = SecretScrubber.PatternsOnly.Scrub($"before\n{sample.Text}\nafter");

        Assert.Contains(SecretScrubber.Mask, scrubbed, StringComparison.Ordinal);
        Assert.StartsWith("before\n", scrubbed, StringComparison.Ordinal);
        Assert.EndsWith("\nafter", scrubbed, StringComparison.Ordinal);
        Assert.All(sample.Values, v => Assert.False(SecretCorpusRunTests.Leaks(scrubbed, v), $"{format}: {v} survived in {scrubbed}"));
        Assert.Equal(scrubbed, SecretScrubber.PatternsOnly.Scrub(scrubbed));
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void Scrub_MasksEveryFormat_InsideAJsonString(string format)
    {
        // Tool arguments reach events as raw JSON: line breaks are \n escapes, quotes are \".
        var sample = Corpus.Single(s => s.Format == format);
        var json = System.Text.Json.JsonSerializer.Serialize(new { content = sample.Text }, Relaxed);

        var scrubbed = SecretScrubber.PatternsOnly.Scrub(json);

        Assert.All(sample.Values, v => Assert.False(SecretCorpusRunTests.Leaks(scrubbed, v), $"{format}: {v} survived in {scrubbed}"));
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void Stream_MasksASecret_SplitAtAnyPointAcrossDeltas(string format)
    {
        var sample = Corpus.Single(s => s.Format == format);
        var text = $"Here it is: {sample.Text}\nThat was the {format}.";
        for (var cut = 1; cut < text.Length; cut++)
        {
            var stream = new SecretStreamScrubber(SecretScrubber.PatternsOnly);

            var emitted = stream.Push(text[..cut]) + stream.Push(text[cut..]) + stream.Flush();

            Assert.All(sample.Values, v => Assert.False(SecretCorpusRunTests.Leaks(emitted, v), $"{format} split at {cut}: {v} survived in {emitted}"));
            Assert.EndsWith($"That was the {format}.", emitted, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(16)]
    public void Stream_MasksTheWholeCorpus_InSmallDeltas(int size)
    {
        var text = SecretCorpus.Document(Corpus);
        var stream = new SecretStreamScrubber(SecretScrubber.PatternsOnly);
        var emitted = new System.Text.StringBuilder();
        for (var i = 0; i < text.Length; i += size)
        {
            emitted.Append(stream.Push(text.Substring(i, Math.Min(size, text.Length - i))));
        }

        emitted.Append(stream.Flush());

        var output = emitted.ToString();
        var leaks = Corpus.SelectMany(s => s.Values.Where(v => SecretCorpusRunTests.Leaks(output, v)).Select(_ => s.Format)).ToList();
        Assert.True(leaks.Count == 0, string.Join(", ", leaks));
        Assert.Contains("## JWT", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Stream_EmitsOrdinaryProse_WithoutWaitingForTheEnd()
    {
        var stream = new SecretStreamScrubber(SecretScrubber.PatternsOnly);

        var first = stream.Push("The build passes and the tests are green. Next");

        Assert.Equal("The build passes and the tests are green. ", first);
        Assert.Equal("Next", stream.Flush());
    }

    [Fact]
    public void Stream_HoldsAKeyWordLine_UntilItsValueArrives()
    {
        var stream = new SecretStreamScrubber(SecretScrubber.PatternsOnly);

        var first = stream.Push("ok.\nexport DB_PASSWORD=");
        var second = stream.Push("s3cretValue123 \n");

        Assert.Equal("ok.\nexport ", first);
        Assert.Equal($"DB_PASSWORD={SecretScrubber.Mask} \n", second + stream.Flush());
    }

    [Theory]
    [InlineData("var token = cancellationToken;")]
    [InlineData("string password = GetPassword(user);")]
    [InlineData("db.connect(user=user, password=password)")]
    [InlineData("apiKey: options.apiKey")]
    [InlineData("  token: string;")]
    [InlineData("max_tokens: 4096")]
    [InlineData("{\"max_tokens\": 40960000, \"token_count\": 12}")]
    [InlineData("SECRET_KEY_LENGTH=64")]
    [InlineData("password: ${{ secrets.DB_PASSWORD }}")]
    [InlineData("//registry.npmjs.org/:_authToken=${NPM_TOKEN}")]
    [InlineData("export GITHUB_TOKEN=$(gh auth token)")]
    [InlineData("if (password==expected) return;")]
    [InlineData("<input type=\"password\" name=\"password\">")]
    [InlineData("commit 9fceb02d0ae598e95dc970b74767f19372d61af8 (HEAD -> main)")]
    [InlineData("sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [InlineData("id 123e4567-e89b-12d3-a456-426614174000")]
    [InlineData("the risk-assessment-and-mitigation-plan-2024 and task-1234567890-abcdefghij")]
    [InlineData("Bearer authentication is described in RFC 6750; the secret is to keep it simple.")]
    [InlineData("see https://example.com:8080/docs?page=2 and git@github.com:owner/repo.git")]
    [InlineData("ssh://git@example.com:22/owner/repo.git")]
    [InlineData("\"SharedAccessKeyName\": \"RootManageSharedAccessKey\"")]
    [InlineData("-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ8xz\n-----END CERTIFICATE-----")]
    [InlineData("-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----")]
    [InlineData("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")]
    public void Scrub_LeavesOrdinaryCodeHashesIdsAndBase64Alone(string text) =>
        Assert.Equal(text, SecretScrubber.PatternsOnly.Scrub(text));
}
