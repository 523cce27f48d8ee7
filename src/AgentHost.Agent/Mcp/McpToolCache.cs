using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using AgentHost.Common.Hashing;
using AgentHost.Hosting.Plugins.Caches;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace AgentHost.Agent.Mcp;

/// <summary>
/// The last successful tool listing of each MCP server, so that a lazily started server's tools can be offered before
/// it runs. One cache file per server in the host's cache folder (<c>KEY.json</c>, a <see cref="KeyedCacheFile{TEntry}"/>
/// with the one entry <c>KEY</c>), named by a hash of what defines the server (name, transport, command, arguments,
/// environment, URL, headers): a changed definition has no entry and starts with the session. The entry also records
/// that a background start of that definition did not list tools: one that failed or timed out holds the next sessions
/// back from starting it in the background for <see cref="FailureBackoff"/>; one the session abandoned (it ended first: a
/// slow first start, such as an <c>npx</c> download, under a short run) does so only after
/// <see cref="AbandonedStartsBeforeHoldingBack"/> in a row. Safe to delete; a file that cannot be read or written (or
/// one of an earlier format: a bare listing, with a <c>KEY.failed</c> beside it) is as if there were none.
/// </summary>
/// <remarks>Each definition's file is read once per instance (one per session's servers) and written when its entry changes.</remarks>
internal sealed class McpToolCache(string directory)
{
    /// <summary>
    /// Version 1: <c>{"tools": [the listing as the MCP SDK serializes it], "failed": {"at": unix ms, "reason": "…"}}</c>,
    /// each part when there is one.
    /// </summary>
    private static readonly KeyedCacheFormat<Entry> Format = new("MCP tool cache", 1, "servers", static (_, element) => ReadEntry(element), WriteEntry);

    // Each definition's file, read once: a session looks up the listing and the failure of every background server (20 with 100 installed plugins).
    private readonly ConditionalWeakTable<McpServerDefinition, Opened> _opened = [];

    public string Directory { get; } = directory;

    /// <summary>How long a background start that did not list tools keeps the next sessions from starting that definition in the background.</summary>
    public static TimeSpan FailureBackoff { get; } = TimeSpan.FromHours(1);

    /// <summary>How many background starts in a row the session abandons before the next sessions stop trying.</summary>
    public const int AbandonedStartsBeforeHoldingBack = 3;

    private const string AbandonedPrefix = "abandoned ";

    /// <summary>
    /// When a background start of <paramref name="definition"/> last did not list tools, and why, if that was less than
    /// <see cref="FailureBackoff"/> before <paramref name="now"/>; else <see langword="null"/>.
    /// </summary>
    public (DateTimeOffset At, string Reason)? RecentFailure(McpServerDefinition definition, DateTimeOffset now)
    {
        if (RecentRecord(definition, now) is not { } record)
        {
            return null;
        }

        if (AbandonedCount(record.Reason) is { } abandoned)
        {
            return abandoned < AbandonedStartsBeforeHoldingBack
                ? null
                : (record.At, $"the session ended before it listed its tools, {abandoned} times in a row");
        }

        return record;
    }

    /// <summary>Records that a background start of <paramref name="definition"/> did not list tools (<paramref name="reason"/>, one line).</summary>
    public void WriteFailure(McpServerDefinition definition, string reason)
    {
        var (file, key) = Open(definition);
        var tools = file.TryGet(key, out var entry) ? entry.Tools : null;
        Save(file, key, new Entry(tools, new Failure(DateTimeOffset.UtcNow, reason.ReplaceLineEndings(" "))));
    }

    /// <summary>Records that the session ended before a background start of <paramref name="definition"/> listed tools (counted: see <see cref="AbandonedStartsBeforeHoldingBack"/>).</summary>
    public void WriteAbandoned(McpServerDefinition definition, DateTimeOffset now)
    {
        var before = RecentRecord(definition, now) is { } record ? AbandonedCount(record.Reason) ?? 0 : 0;
        WriteFailure(definition, AbandonedPrefix + (before + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// The failure record of <paramref name="definition"/>, if it was written less than <see cref="FailureBackoff"/>
    /// before <paramref name="now"/> (and not in the future beyond clock skew); else <see langword="null"/>.
    /// </summary>
    private (DateTimeOffset At, string Reason)? RecentRecord(McpServerDefinition definition, DateTimeOffset now)
    {
        var (file, key) = Open(definition);
        return file.TryGet(key, out var entry) && entry.Failed is { } failed && now - failed.At < FailureBackoff && failed.At <= now + TimeSpan.FromMinutes(5)
            ? (failed.At, failed.Reason)
            : null;
    }

    private static int? AbandonedCount(string text) =>
        text.StartsWith(AbandonedPrefix, StringComparison.Ordinal)
        && int.TryParse(text.AsSpan(AbandonedPrefix.Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var count)
            ? count
            : null;

    /// <summary>The cached listing of <paramref name="definition"/>, or <see langword="null"/>.</summary>
    public IReadOnlyList<Tool>? Read(McpServerDefinition definition)
    {
        var (file, key) = Open(definition);
        return file.TryGet(key, out var entry) ? entry.Tools : null;
    }

    /// <summary>Stores a listing (atomically: a reader sees the old file or the new one), and forgets a failure.</summary>
    public void Write(McpServerDefinition definition, IReadOnlyList<Tool> tools)
    {
        var (file, key) = Open(definition);
        Save(file, key, new Entry(tools, null));
    }

    /// <summary>The cache file of a definition.</summary>
    public string FileOf(McpServerDefinition definition) => Open(definition).File.FilePath;

    /// <summary>
    /// Sets the entry and writes the file. The cache is an optimisation: a folder that cannot be written is as if there
    /// were no cache, and nothing is thrown (the callers run on background observers).
    /// </summary>
    private static void Save(KeyedCacheFile<Entry> file, string key, Entry entry)
    {
        file.Set(key, entry);
        file.SaveIfChanged();
    }

    private Opened Open(McpServerDefinition definition) => _opened.GetValue(definition, d =>
    {
        var key = KeyOf(d);
        return new Opened(new KeyedCacheFile<Entry>(Path.Combine(Directory, key + ".json"), Format), key);
    });

    private static Entry? ReadEntry(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var tools = element.TryGetProperty("tools", out var listing) ? listing.Deserialize<List<Tool>>(McpJsonUtilities.DefaultOptions) : null;
        Failure? failed = null;
        if (element.TryGetProperty("failed", out var failure))
        {
            if (!failure.TryGetProperty("at", out var at) || !at.TryGetInt64(out var ms) || !failure.TryGetProperty("reason", out var reason) || reason.GetString() is not { } text)
            {
                return null;
            }

            failed = new Failure(DateTimeOffset.FromUnixTimeMilliseconds(ms), text);
        }

        return new Entry(tools, failed);
    }

    private static void WriteEntry(Utf8JsonWriter writer, Entry entry)
    {
        writer.WriteStartObject();
        if (entry.Tools is { } tools)
        {
            writer.WritePropertyName("tools");
            JsonSerializer.Serialize(writer, tools, McpJsonUtilities.DefaultOptions);
        }

        if (entry.Failed is { } failed)
        {
            writer.WriteStartObject("failed");
            writer.WriteNumber("at", failed.At.ToUnixTimeMilliseconds());
            writer.WriteString("reason", failed.Reason);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    /// <summary>A definition's listing (when it had one) and the last background start that did not list tools (when it was the last).</summary>
    private sealed record Entry(IReadOnlyList<Tool>? Tools, Failure? Failed);

    /// <summary>When a background start did not list tools, and why.</summary>
    private sealed record Failure(DateTimeOffset At, string Reason);

    /// <summary>A definition's cache file and key.</summary>
    private sealed record Opened(KeyedCacheFile<Entry> File, string Key);

    /// <summary>A hash of what defines the server (not where it was defined, nor when or how long it may take to start).</summary>
    internal static string KeyOf(McpServerDefinition definition)
    {
        var text = new StringBuilder();
        void Add(string? value) => text.Append(value?.Length ?? -1).Append(':').Append(value).Append('\n');
        Add(definition.Name);
        Add(definition.Transport.ToString());
        Add(definition.Command);
        foreach (var arg in definition.Args)
        {
            Add(arg);
        }

        Add("env");
        foreach (var (key, value) in definition.Environment.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            Add(key);
            Add(value);
        }

        Add(definition.Url?.ToString());
        Add("headers");
        foreach (var (key, value) in definition.Headers.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            Add(key);
            Add(value);
        }

        // The managed SHA-256 (the same hash): a session's MCP start does not load OpenSSL for it (Common/Hashing/Sha256.cs).
        return $"{definition.Name}-{Convert.ToHexStringLower(Sha256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..16]}";
    }
}
