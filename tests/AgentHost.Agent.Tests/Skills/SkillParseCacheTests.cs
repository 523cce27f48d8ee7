using System.Text.Json;
using AgentHost.Agent.Skills;
using AgentHost.Tests.Sessions;
using AgentHost.Tests.Skills;
using AgentHost.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentHost.Agent.Tests.Skills;

/// <summary>
/// A SKILL.md parsed by one run is not parsed again by the next while its file is unchanged (issue #50); any change to
/// the file, a file changed too recently to trust its times, and any doubt about the cache file mean a parse.
/// </summary>
public sealed class SkillParseCacheTests
{
    private const string Why = "statx(2): inode numbers and inode change times (elsewhere every run parses)";

    private const string Fields = "license: MIT\ncompatibility: Needs git\nmetadata:\n  author: me\nallowed-tools: view shell(git diff *)\nuser-invocable: false\nunknown-field: x\n";

    [LinuxFact(Why)]
    public void AParsedSkill_IsServedFromTheCacheFile_ByTheNextRun_AsParsed()
    {
        using var temp = new TempDirectory();
        SkillFiles.Write(temp.Combine("skills"), "review", "Reviews code.", extra: Fields, body: "Step ${CLAUDE_UNKNOWN_THING} one.\n");
        var cacheFile = temp.Combine("data", "cache", "skill-parses.json");

        var (first, firstCache) = Read(temp, cacheFile);
        var (second, secondCache) = Read(temp, cacheFile);

        Assert.Equal((0, 1), (firstCache.Hits, firstCache.Parses));
        Assert.Equal((1, 0), (secondCache.Hits, secondCache.Parses));
        var (parsed, cached) = (Assert.Single(first.All), Assert.Single(second.All));
        Assert.NotNull(parsed.Document);
        Assert.Equal(Describe(parsed), Describe(cached));
        Assert.Contains("unknown field 'unknown-field'", string.Join("\n", cached.Problems), StringComparison.Ordinal);
        Assert.Contains("${CLAUDE_UNKNOWN_THING}", string.Join("\n", cached.Problems), StringComparison.Ordinal);
    }

    [LinuxFact(Why)]
    public void AFileChangedInPlace_WithItsSizeAndModificationTimeSetBack_IsParsedAgain()
    {
        using var temp = new TempDirectory();
        var file = SkillFiles.Write(temp.Combine("skills"), "review", "Reviews code A.");
        var time = File.GetLastWriteTimeUtc(file);
        File.SetLastWriteTimeUtc(file, time); // to the 100 ns the setter keeps, so that setting it back restores it exactly
        var cacheFile = temp.Combine("data", "cache", "skill-parses.json");
        Read(temp, cacheFile);

        File.WriteAllText(file, File.ReadAllText(file).Replace("code A.", "code B.", StringComparison.Ordinal)); // same size
        File.SetLastWriteTimeUtc(file, time);
        var (second, cache) = Read(temp, cacheFile);

        Assert.Equal(time, File.GetLastWriteTimeUtc(file));
        Assert.Equal((0, 1), (cache.Hits, cache.Parses));
        Assert.Equal("Reviews code B.", Assert.Single(second.All).Description);
    }

    [LinuxFact(Why)]
    public void AFileChangedWithinTheRacyWindow_IsNotRecorded()
    {
        using var temp = new TempDirectory();
        SkillFiles.Write(temp.Combine("skills"), "review");
        var cacheFile = temp.Combine("data", "cache", "skill-parses.json");

        Read(temp, cacheFile, new ManualTimeProvider(DateTimeOffset.UtcNow)); // the file was written just now
        var (_, cache) = Read(temp, cacheFile);

        Assert.Equal((0, 1), (cache.Hits, cache.Parses));
    }

    [LinuxTheory(Why)]
    [InlineData("not json")]
    [InlineData("{\"version\": 99, \"skills\": {}}")]
    [InlineData("{\"version\": 1, \"skills\": {\"x\": 1}}")]
    public void AnUnreadableOrForeignCacheFile_IsIgnored_AndRewritten(string content)
    {
        using var temp = new TempDirectory();
        SkillFiles.Write(temp.Combine("skills"), "review");
        var cacheFile = temp.WriteFile("data/cache/skill-parses.json", content);

        var (first, firstCache) = Read(temp, cacheFile);
        var (_, secondCache) = Read(temp, cacheFile);

        Assert.Equal("review", Assert.Single(first.Available).Name);
        Assert.Equal((0, 1), (firstCache.Hits, firstCache.Parses));
        Assert.Equal((1, 0), (secondCache.Hits, secondCache.Parses));
    }

    [LinuxFact(Why)]
    public void AMalformedEntry_IsParsedAgain_NotTrusted()
    {
        using var temp = new TempDirectory();
        SkillFiles.Write(temp.Combine("skills"), "review", "Reviews code.");
        var cacheFile = temp.Combine("data", "cache", "skill-parses.json");
        Read(temp, cacheFile);
        var text = File.ReadAllText(cacheFile);
        File.WriteAllText(cacheFile, text.Replace("\"description\":\"Reviews code.\"", "\"description\":7", StringComparison.Ordinal));

        var (second, cache) = Read(temp, cacheFile);

        Assert.DoesNotContain("\"description\":7", File.ReadAllText(cacheFile), StringComparison.Ordinal); // rewritten
        Assert.Equal((0, 1), (cache.Hits, cache.Parses));
        Assert.Equal("Reviews code.", Assert.Single(second.All).Description);
    }

    [LinuxFact(Why)]
    public void TheFile_KeepsOnlyTheSkillsTheLastRunRead()
    {
        using var temp = new TempDirectory();
        SkillFiles.Write(temp.Combine("skills"), "review");
        var other = SkillFiles.Write(temp.Combine("other"), "deploy");
        var cacheFile = temp.Combine("data", "cache", "skill-parses.json");
        var both = new SkillCatalog([new SkillRoot(temp.Combine("skills"), SkillSource.User, "user"), new SkillRoot(temp.Combine("other"), SkillSource.Project, "project")])
        {
            ParseCache = new SkillParseCache(cacheFile, NullLogger.Instance, new ManualTimeProvider(DateTimeOffset.UtcNow.AddSeconds(10))),
        };
        Assert.Equal(2, both.Current.Available.Count);
        Assert.Contains(JsonEncodedText.Encode(other).ToString(), File.ReadAllText(cacheFile), StringComparison.Ordinal);

        var (_, cache) = Read(temp, cacheFile); // reads only skills/
        var (_, next) = Read(temp, cacheFile);

        Assert.Equal((1, 0), (cache.Hits, cache.Parses));
        Assert.Equal((1, 0), (next.Hits, next.Parses));
        Assert.DoesNotContain(JsonEncodedText.Encode(other).ToString(), File.ReadAllText(cacheFile), StringComparison.Ordinal);
    }

    [Fact]
    public void EveryFieldOfTheParse_SurvivesTheCacheFile()
    {
        var document = new SkillDocument("n", "d", "b")
        {
            License = "MIT",
            Compatibility = "c",
            Metadata = new Dictionary<string, string>(StringComparer.Ordinal) { ["author"] = "me" },
            AllowedTools = ["view", "shell(git diff *)"],
            UserInvocable = false,
            DisableModelInvocation = true,
            BodyLine = 9,
        };
        var result = new SkillParseResult(document, [new SkillProblem(SkillSeverity.Warning, "f", 3, "w"), new SkillProblem(SkillSeverity.Error, "f", null, "e")]);

        var read = SkillParseJson.Read(RoundTrip(result), "f");

        // A field added to SkillDocument must be added to SkillParseJson too: this list fails the test until it is.
        Assert.Equal(
            ["AllowedTools", "Body", "BodyLine", "Compatibility", "Description", "DisableModelInvocation", "License", "Metadata", "Name", "UserInvocable"],
            typeof(SkillDocument).GetProperties().Where(p => p.CanWrite).Select(p => p.Name).Order(StringComparer.Ordinal));
        var copy = read.Document!;
        Assert.Equal(document with { Metadata = copy.Metadata, AllowedTools = copy.AllowedTools }, copy);
        Assert.Equal(document.Metadata, copy.Metadata);
        Assert.Equal(document.AllowedTools, copy.AllowedTools);
        Assert.Equal(result.Problems, read.Problems);
    }

    [Fact]
    public void AFailedParse_SurvivesTheCacheFile_WithoutADocument()
    {
        var result = new SkillParseResult(null, [new SkillProblem(SkillSeverity.Error, "f", 1, "SKILL.md must start with YAML frontmatter")]);

        var read = SkillParseJson.Read(RoundTrip(result), "f");

        Assert.Null(read.Document);
        Assert.Equal(result.Problems, read.Problems);
    }

    private static JsonElement RoundTrip(SkillParseResult result)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            SkillParseJson.Write(writer, result);
            writer.WriteEndObject();
        }

        return JsonDocument.Parse(stream.ToArray()).RootElement.Clone();
    }

    /// <summary>One run's read of the skills folder with a cache over <paramref name="cacheFile"/> (saved at the end of the read).</summary>
    private static (SkillSnapshot Snapshot, SkillParseCache Cache) Read(TempDirectory temp, string cacheFile, TimeProvider? time = null)
    {
        var cache = new SkillParseCache(cacheFile, NullLogger.Instance, time ?? new ManualTimeProvider(DateTimeOffset.UtcNow.AddSeconds(10)));
        var catalog = new SkillCatalog([new SkillRoot(temp.Combine("skills"), SkillSource.User, "user")]) { ParseCache = cache };
        return (catalog.Current, cache);
    }

    private static string Describe(Skill skill) =>
        JsonSerializer.Serialize(new
        {
            skill.Name,
            skill.Description,
            skill.Document!.Body,
            skill.Document.BodyLine,
            skill.Document.License,
            skill.Document.Compatibility,
            skill.Document.Metadata,
            skill.Document.AllowedTools,
            skill.Document.UserInvocable,
            skill.Document.DisableModelInvocation,
            skill.ContentHash,
            Problems = skill.Problems.Select(p => p.ToString()),
        });
}
