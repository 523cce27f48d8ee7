using System.Text;
using System.Text.Json;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Caches;
using AgentHost.Tests.Support;

namespace AgentHost.Hosting.Tests.Plugins;

/// <summary>
/// <see cref="CacheFile.ReadEntries"/> reads a cache file entry by entry through a small buffer (#50): the same entries,
/// in the same order, as the whole-file read, across buffer boundaries and entries larger than the buffer; and the same
/// refusals (no file, another version, no section, broken JSON).
/// </summary>
public sealed class CacheFileEntriesTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    private string File => _temp.Combine("cache.json");

    [Fact]
    public void ManyEntries_OneLargerThanTheBuffer_AreReadAsTheWholeFileReadsThem()
    {
        // 400 entries of ~1 KB with escapes and non-ASCII, and one of 100 KB: every buffer boundary falls somewhere new.
        var written = Enumerable.Range(0, 400).Select(i => ($"/skills/skill-{i:000}/SKILL.md\n", Entry(i, 1_000))).ToList();
        written.Insert(200, ("/skills/huge/SKILL.md\n", Entry(-1, 100_000)));
        Assert.Null(CacheFile.TryWrite(File, 3, "skills", writer =>
        {
            foreach (var (key, value) in written)
            {
                writer.WritePropertyName(key);
                value.WriteTo(writer);
            }
        }));

        var entries = CacheFile.ReadEntries(File, 3, "skills");

        using var whole = CacheFile.Read(File, 3, "skills", out var section);
        Assert.NotNull(entries);
        Assert.Equal(section.EnumerateObject().Select(p => p.Name), entries.Select(e => e.Key));
        Assert.Equal(section.EnumerateObject().Select(p => p.Value.GetRawText()), entries.Select(e => e.Value.GetRawText()));
        Assert.Equal(401, entries.Count);
        Assert.Equal(100_000, entries[200].Value.GetProperty("body").GetString()!.Length);
    }

    [Fact]
    public void OtherTopLevelProperties_AreSkipped_AndTheVersionMayComeAfterTheSection()
    {
        var other = string.Join(",", Enumerable.Range(0, 2_000).Select(i => $"{{\"n\":{i},\"text\":\"{new string('x', 20)}\"}}"));
        System.IO.File.WriteAllText(File, $$"""{"before":[{{other}}],"skills":{"a":{"v":1},"b":[1,2,3]},"after":{"x":[{{other}}]},"version":3}""");

        var entries = CacheFile.ReadEntries(File, 3, "skills");

        Assert.NotNull(entries);
        Assert.Equal(["a", "b"], entries.Select(e => e.Key));
        Assert.Equal("[1,2,3]", entries[1].Value.GetRawText());
    }

    [Fact]
    public void NoFile_IsNull_AnotherVersionOrNoSection_IsInvalidData_BrokenJson_IsAJsonException()
    {
        Assert.Null(CacheFile.ReadEntries(File, 1, "skills"));

        System.IO.File.WriteAllText(File, """{"version":2,"skills":{"a":{}}}""");
        Assert.Throws<InvalidDataException>(() => CacheFile.ReadEntries(File, 1, "skills"));

        System.IO.File.WriteAllText(File, """{"version":1,"schemas":{"a":{}}}""");
        Assert.Throws<InvalidDataException>(() => CacheFile.ReadEntries(File, 1, "skills"));

        System.IO.File.WriteAllText(File, """{"version":1,"skills":[1]}""");
        Assert.Throws<InvalidDataException>(() => CacheFile.ReadEntries(File, 1, "skills"));

        System.IO.File.WriteAllText(File, """{"version":1,"skills":{"a":{"b":""" + new string('[', 40_000));
        Assert.ThrowsAny<JsonException>(() => CacheFile.ReadEntries(File, 1, "skills"));

        System.IO.File.WriteAllText(File, """{"version":1,"skills":{"a":{}}""");
        Assert.ThrowsAny<JsonException>(() => CacheFile.ReadEntries(File, 1, "skills"));
    }

    private static JsonElement Entry(int i, int bodyLength)
    {
        var body = new StringBuilder();
        while (body.Length < bodyLength)
        {
            body.Append("Run `tests` — don't \"skip\" them; ünïcödé ").Append(i).Append('\n');
        }

        return JsonSerializer.SerializeToElement(new { name = $"skill-{i}", stat = new[] { 1L, 2, 3, 4, 5 }, body = body.ToString(0, bodyLength) });
    }

    public void Dispose() => _temp.Dispose();
}
