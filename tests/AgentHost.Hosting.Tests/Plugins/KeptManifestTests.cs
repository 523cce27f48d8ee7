using System.Collections;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Caches;
using AgentHost.Hosting.Plugins.Manifests;
using AgentHost.Sdk.Capabilities;
using AgentHost.Tests.Sessions;
using AgentHost.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentHost.Hosting.Tests.Plugins;

/// <summary>
/// A Claude Code plugin's manifest kept in its verification record (PluginManifestJson): the next load of an unchanged
/// folder takes it from there instead of reading the plugin's files, and it is exactly the manifest the files give.
/// </summary>
public sealed class KeptManifestTests : IDisposable
{
    private const string Why = "statx(2): the verification record exists on Linux only";
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [LinuxTheory(Why)]
    [InlineData("review-kit")]
    [InlineData("inline-servers")]
    public async Task TheNextLoadOfAnUnchangedPlugin_TakesItsManifestFromTheRecord_EqualToTheFiles(string fixture)
    {
        var (dir, hash) = Copy(fixture);

        var (first, firstStamps) = await LoadAsync(dir, hash);
        var (second, secondStamps) = await LoadAsync(dir, hash);

        Assert.Equal(PluginLoadStatus.Loaded, first.Result.Status);
        Assert.Equal((0, 1, 0), (firstStamps.Skipped, firstStamps.Recorded, firstStamps.ManifestsKept));
        Assert.Equal(PluginLoadStatus.Loaded, second.Result.Status);
        Assert.Equal((1, 0, 1), (secondStamps.Skipped, secondStamps.Recorded, secondStamps.ManifestsKept));
        AssertSame(ManifestReader.ReadFromDirectory(dir), second.Manifest);
        Assert.Equal(first.Capabilities, second.Capabilities);
    }

    [LinuxFact(Why)]
    public async Task AChangedPlugin_IsHashedAndRefused_NotServedFromItsRecord()
    {
        var (dir, hash) = Copy("review-kit");
        await LoadAsync(dir, hash);
        File.AppendAllText(Path.Combine(dir, ".mcp.json"), " ");

        var (second, stamps) = await LoadAsync(dir, hash);

        Assert.Equal(PluginLoadStatus.Refused, second.Result.Status);
        Assert.Equal((0, 0), (stamps.Skipped, stamps.ManifestsKept));
    }

    [LinuxTheory(Why)]
    [InlineData("another build")]
    [InlineData("a broken manifest")]
    [InlineData("no manifest")]
    public async Task ARecordWhoseManifestIsInDoubt_StillVerifiesTheFolder_TheFilesAreRead_AndTheNextLoadKeepsThem(string doubt)
    {
        var (dir, hash) = Copy("review-kit");
        var (_, firstStamps) = await LoadAsync(dir, hash);
        var record = firstStamps.FileOf(Path.GetFullPath(dir));
        var json = JsonNode.Parse(File.ReadAllText(record))!;
        var entry = json["verified"]![Path.GetFullPath(dir)]!.AsObject(); // the record's one entry, keyed by its folder
        var manifest = entry["manifest"]!.AsObject();
        switch (doubt)
        {
            case "another build":
                manifest["build"] = "0123456789abcdef0123456789abcdef";
                break;
            case "a broken manifest":
                manifest.Remove("mcp");
                break;
            default:
                entry.Remove("manifest");
                break;
        }

        File.WriteAllText(record, json.ToJsonString());
        var (second, stamps) = await LoadAsync(dir, hash);

        Assert.Equal(PluginLoadStatus.Loaded, second.Result.Status);
        Assert.Equal((1, 0), (stamps.Skipped, stamps.ManifestsKept));
        AssertSame(ManifestReader.ReadFromDirectory(dir), second.Manifest);

        // The manifest read then is added to the record (as after an upgrade of agent): the next load takes it from there.
        var (third, thirdStamps) = await LoadAsync(dir, hash);
        Assert.Equal(PluginLoadStatus.Loaded, third.Result.Status);
        Assert.Equal((1, 0, 1), (thirdStamps.Skipped, thirdStamps.Recorded, thirdStamps.ManifestsKept));
        AssertSame(ManifestReader.ReadFromDirectory(dir), third.Manifest);
    }

    [LinuxFact(Why)]
    public async Task AKeptManifest_TakesTheIdItWasInstalledAs()
    {
        var (dir, hash) = Copy("review-kit");
        await LoadAsync(dir, hash, id: "review-kit@market");

        var (second, stamps) = await LoadAsync(dir, hash, id: "review-kit@market");

        Assert.Equal(1, stamps.ManifestsKept);
        Assert.Equal("review-kit@market", second.Result.PluginId);
        Assert.Equal("review-kit@market", second.Manifest.Id);
    }

    [Fact]
    public void EveryPropertyOfAManifestAndItsServers_IsKept_OrNamedAsNotKept()
    {
        // A new property fails here until PluginManifestJson writes and reads it (or it is named as not kept, with why).
        string[] notKept =
        [
            nameof(PluginManifest.EntryAssembly), nameof(PluginManifest.EntryType), nameof(PluginManifest.LazyActivation),
            nameof(PluginManifest.Settings), nameof(PluginManifest.HasCode), // a kept manifest has no code (PluginManifestJson.Keeps)
            nameof(PluginManifest.Format), // always ClaudeCode
            nameof(PluginManifest.NotMapped), // read from the files when shown
        ];
        string[] kept =
        [
            "Authors", "CommandDirectories", "Description", "Directory", "FilePath", "Homepage", "HookFiles", "Id", "License",
            "LspServers", "McpServers", "Sdk", "SkillDirectories", "Uses", "Version", "WorkflowDirectories",
        ];
        Assert.Equal([.. kept.Concat(notKept).Order(StringComparer.Ordinal)], typeof(PluginManifest).GetProperties().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal(
            ["Args", "Command", "Description", "Environment", "Headers", "Kind", "Name", "Transport", "Url", "UrlTemplate"],
            typeof(McpServerCapability).GetProperties().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal(
            ["Args", "Command", "Description", "Environment", "FileExtensions", "InitializationOptionsJson", "InstallHint", "Kind", "LanguageIds", "MaxRestarts", "Name", "Restart", "RootMarkers", "SettingsJson", "ShutdownTimeout", "StartTimeout"],
            typeof(LspServerCapability).GetProperties().Select(p => p.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void AManifestWithEveryKeptFieldSet_ReadsBackEqual()
    {
        var manifest = new PluginManifest
        {
            Id = "all-fields",
            Version = NuGet.Versioning.NuGetVersion.Parse("2.3.4-beta.1+build.5"),
            Description = "every field",
            Authors = ["A <a@example.com>", "B"],
            License = "MIT",
            Homepage = "https://example.com",
            Sdk = SdkRange.TryParse(">=0.0", out var sdk, out _) ? sdk! : throw new InvalidOperationException(),
            Uses = [HostCapability.Processes, HostCapability.Network],
            SkillDirectories = ["skills", "extra/skills"],
            CommandDirectories = ["commands", "more.md"],
            WorkflowDirectories = ["workflows"],
            HookFiles = ["hooks/hooks.json", ".claude-plugin/plugin.json"],
            McpServers =
            [
                new McpServerCapability("local", McpTransport.Stdio) { Description = "d", Command = "node", Args = ["a", "b"], Environment = new Dictionary<string, string> { ["K"] = "V" } },
                new McpServerCapability("remote", McpTransport.Http) { Url = new Uri("http://127.0.0.1:9/mcp"), UrlTemplate = "${URL:-http://127.0.0.1:9/mcp}", Headers = new Dictionary<string, string> { ["X-A"] = "1" } },
            ],
            LspServers =
            [
                new LspServerCapability("yaml", "yaml-language-server")
                {
                    Description = "d", Args = ["--stdio"], Environment = new Dictionary<string, string> { ["E"] = "1" }, FileExtensions = [".yaml"],
                    LanguageIds = new Dictionary<string, string> { [".yaml"] = "yaml" }, RootMarkers = [".git"], InitializationOptionsJson = "{\"a\":1}",
                    SettingsJson = "{\"b\":2}", StartTimeout = TimeSpan.FromSeconds(7), ShutdownTimeout = TimeSpan.FromSeconds(3),
                    Restart = LspRestartPolicy.Never, MaxRestarts = 9, InstallHint = "npm i -g yaml-language-server",
                },
            ],
            Format = PluginFormat.ClaudeCode,
            FilePath = "/p/.claude-plugin/plugin.json",
            Directory = "/p",
        };
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            PluginManifestJson.Write(writer, manifest);
            writer.WriteEndObject();
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        var read = PluginManifestJson.Read(document.RootElement);

        AssertSame(manifest, read, notes: false);
    }

    /// <summary>Every public property equal, the servers' too (lists in order, maps by key); the notes too unless told.</summary>
    private static void AssertSame(PluginManifest expected, PluginManifest actual, bool notes = true)
    {
        foreach (var property in typeof(PluginManifest).GetProperties().Where(p => notes || p.Name != nameof(PluginManifest.NotMapped)))
        {
            Assert.True(Same(property.GetValue(expected), property.GetValue(actual)), $"PluginManifest.{property.Name} differs");
        }
    }

    private static bool Same(object? a, object? b) => (a, b) switch
    {
        (null, null) => true,
        (null, _) or (_, null) => false,
        (string x, string y) => x == y,
        (Capability x, Capability y) => x.GetType() == y.GetType() && x.GetType().GetProperties().All(p => Same(p.GetValue(x), p.GetValue(y))),
        (IDictionary x, IDictionary y) => x.Count == y.Count && x.Keys.Cast<object>().All(k => y.Contains(k) && Same(x[k], y[k])),
        (IEnumerable x, IEnumerable y) => x.Cast<object?>().ToList() is var l && y.Cast<object?>().ToList() is var r && l.Count == r.Count && l.Zip(r).All(p => Same(p.First, p.Second)),
        (SdkRange x, SdkRange y) => x.Text == y.Text,
        _ => Equals(a, b),
    };

    private (string Directory, string Hash) Copy(string fixture)
    {
        var dir = _temp.Combine("plugins", fixture);
        foreach (var file in Directory.EnumerateFiles(ClaudePluginFixtures.Path(fixture), "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(dir, Path.GetRelativePath(ClaudePluginFixtures.Path(fixture), file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        return (dir, PluginHasher.ComputeHash(dir));
    }

    /// <summary>Loads the plugin in a new host with a new record reader over the same folder (as the next run does), 10 s past the files' writing.</summary>
    private async Task<(Loaded Plugin, PluginStamps Stamps)> LoadAsync(string dir, string hash, string? id = null)
    {
        var stamps = new PluginStamps(_temp.Combine("data", "cache", "plugin-verified"), NullLogger.Instance, new ManualTimeProvider(DateTimeOffset.UtcNow.AddSeconds(10)));
        await using var harness = new PluginHarness();
        harness.Host.Stamps = stamps;
        var result = await harness.Host.LoadAsync(new PluginLoadRequest(dir) { ExpectedHash = hash, Id = id });
        return (new Loaded(result, result.Status == PluginLoadStatus.Loaded ? harness.Host.Loaded[result.PluginId].Manifest : null!, [.. result.Capabilities.Select(c => c.Capability.ToString())]), stamps);
    }

    private sealed record Loaded(PluginLoadResult Result, PluginManifest Manifest, IReadOnlyList<string> Capabilities);
}
