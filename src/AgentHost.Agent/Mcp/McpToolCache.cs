using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using AgentHost.Common.Hashing;
using AgentHost.Hosting.Text;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace AgentHost.Agent.Mcp;

/// <summary>
/// The last successful tool listing of each MCP server, so that a lazily started server's tools can be offered before
/// it runs. One JSON file per server in the host's cache folder, named by a hash of what defines the server (name,
/// transport, command, arguments, environment, URL, headers): a changed definition has no entry and starts with the
/// session. Beside it, <c>KEY.failed</c> records that a background start of that definition did not list tools: one
/// that failed or timed out holds the next sessions back from starting it in the background for
/// <see cref="FailureBackoff"/>; one the session abandoned (it ended first: a slow first start, such as an <c>npx</c>
/// download, under a short run) does so only after <see cref="AbandonedStartsBeforeHoldingBack"/> in a row. Safe to
/// delete; a file that cannot be read or written is as if there were none.
/// </summary>
internal sealed class McpToolCache(string directory)
{
    // Each definition's key, computed once: a session looks up both files of every background server (20 with 100 installed plugins).
    private readonly ConditionalWeakTable<McpServerDefinition, string> _keys = [];

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
        if (ReadRecentRecord(definition, now) is not { } record)
        {
            return null;
        }

        if (AbandonedCount(record.Text) is { } abandoned)
        {
            return abandoned < AbandonedStartsBeforeHoldingBack
                ? null
                : (record.At, $"the session ended before it listed its tools, {abandoned} times in a row");
        }

        return (record.At, record.Text);
    }

    /// <summary>Records that a background start of <paramref name="definition"/> did not list tools (<paramref name="reason"/>, one line).</summary>
    public void WriteFailure(McpServerDefinition definition, string reason) =>
        TryWriteAtomically(FailureFileOf(definition), reason.ReplaceLineEndings(" "));

    /// <summary>Records that the session ended before a background start of <paramref name="definition"/> listed tools (counted: see <see cref="AbandonedStartsBeforeHoldingBack"/>).</summary>
    public void WriteAbandoned(McpServerDefinition definition, DateTimeOffset now)
    {
        var before = ReadRecentRecord(definition, now) is { } record ? AbandonedCount(record.Text) ?? 0 : 0;
        WriteFailure(definition, AbandonedPrefix + (before + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// The failure record of <paramref name="definition"/> and when it was written, if that was less than
    /// <see cref="FailureBackoff"/> before <paramref name="now"/> (and not in the future beyond clock skew); else
    /// <see langword="null"/>, also when it cannot be read.
    /// </summary>
    private (DateTimeOffset At, string Text)? ReadRecentRecord(McpServerDefinition definition, DateTimeOffset now)
    {
        try
        {
            var file = FailureFileOf(definition);
            if (!File.Exists(file))
            {
                return null;
            }

            var at = new DateTimeOffset(File.GetLastWriteTimeUtc(file), TimeSpan.Zero);
            return now - at >= FailureBackoff || at > now + TimeSpan.FromMinutes(5)
                ? null
                : (at, TextFiles.Read(file).Trim());
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return null;
        }
    }

    /// <summary>
    /// Writes <paramref name="text"/> to <paramref name="file"/> through a temporary file, so a reader sees the old file
    /// or the new one; returns whether it was written. The cache is an optimisation: a folder that cannot be written is
    /// as if there were no cache, and nothing is thrown (the callers run on background observers).
    /// </summary>
    private bool TryWriteAtomically(string file, string text)
    {
        var temporary = $"{file}.{Environment.ProcessId}.tmp";
        try
        {
            System.IO.Directory.CreateDirectory(Directory);
            File.WriteAllText(temporary, text);
            File.Move(temporary, file, overwrite: true);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            TryDelete(temporary);
            return false;
        }
    }

    private static void TryDelete(string file)
    {
        try
        {
            File.Delete(file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            // Left behind: a stale temporary file is never read (readers open only KEY.json and KEY.failed).
        }
    }

    private static int? AbandonedCount(string text) =>
        text.StartsWith(AbandonedPrefix, StringComparison.Ordinal)
        && int.TryParse(text.AsSpan(AbandonedPrefix.Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var count)
            ? count
            : null;

    /// <summary>The failure record of a definition.</summary>
    public string FailureFileOf(McpServerDefinition definition) => Path.Combine(Directory, KeyFor(definition) + ".failed");

    /// <summary>The cached listing of <paramref name="definition"/>, or <see langword="null"/>.</summary>
    public IReadOnlyList<Tool>? Read(McpServerDefinition definition)
    {
        try
        {
            // Most definitions have no listing (a background server that never listed tools): no exception for those.
            var file = FileOf(definition);
            if (!File.Exists(file))
            {
                return null;
            }

            using var stream = File.OpenRead(file);
            return JsonSerializer.Deserialize<List<Tool>>(stream, McpJsonUtilities.DefaultOptions);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException or NotSupportedException)
        {
            return null;
        }
    }

    /// <summary>Stores a listing (atomically: a reader sees the old file or the new one).</summary>
    public void Write(McpServerDefinition definition, IReadOnlyList<Tool> tools)
    {
        if (TryWriteAtomically(FileOf(definition), JsonSerializer.Serialize(tools, McpJsonUtilities.DefaultOptions)))
        {
            TryDelete(FailureFileOf(definition));
        }
    }

    /// <summary>The cache file of a definition.</summary>
    public string FileOf(McpServerDefinition definition) => Path.Combine(Directory, KeyFor(definition) + ".json");

    private string KeyFor(McpServerDefinition definition) => _keys.GetValue(definition, KeyOf);

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
