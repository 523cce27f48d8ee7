using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace AgentHost.Agent.Mcp;

/// <summary>
/// The last successful tool listing of each MCP server, so that a lazily started server's tools can be offered before
/// it runs. One JSON file per server in the host's cache folder, named by a hash of what defines the server (name,
/// transport, command, arguments, environment, URL, headers): a changed definition has no entry and starts with the
/// session. Beside it, <c>KEY.failed</c> records that a background start of that definition did not list tools (it
/// failed, timed out, or the session ended first), so the next sessions do not start it in the background again for
/// <see cref="FailureBackoff"/>. Safe to delete; a file that cannot be read or written is as if there were none.
/// </summary>
internal sealed class McpToolCache(string directory)
{
    public string Directory { get; } = directory;

    /// <summary>How long a background start that did not list tools keeps the next sessions from starting that definition in the background.</summary>
    public static TimeSpan FailureBackoff { get; } = TimeSpan.FromHours(1);

    /// <summary>
    /// When a background start of <paramref name="definition"/> last did not list tools, and why, if that was less than
    /// <see cref="FailureBackoff"/> before <paramref name="now"/>; else <see langword="null"/>.
    /// </summary>
    public (DateTimeOffset At, string Reason)? RecentFailure(McpServerDefinition definition, DateTimeOffset now)
    {
        try
        {
            var file = FailureFileOf(definition);
            var at = new DateTimeOffset(File.GetLastWriteTimeUtc(file), TimeSpan.Zero);
            if (!File.Exists(file) || now - at >= FailureBackoff || at > now + TimeSpan.FromMinutes(5))
            {
                return null;
            }

            return (at, File.ReadAllText(file).Trim());
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return null;
        }
    }

    /// <summary>Records that a background start of <paramref name="definition"/> did not list tools (<paramref name="reason"/>, one line).</summary>
    public void WriteFailure(McpServerDefinition definition, string reason)
    {
        var file = FailureFileOf(definition);
        var temporary = $"{file}.{Environment.ProcessId}.tmp";
        try
        {
            System.IO.Directory.CreateDirectory(Directory);
            File.WriteAllText(temporary, reason.ReplaceLineEndings(" "));
            File.Move(temporary, file, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            File.Delete(temporary);
        }
    }

    /// <summary>The failure record of a definition.</summary>
    public string FailureFileOf(McpServerDefinition definition) => Path.Combine(Directory, KeyOf(definition) + ".failed");

    /// <summary>The cached listing of <paramref name="definition"/>, or <see langword="null"/>.</summary>
    public IReadOnlyList<Tool>? Read(McpServerDefinition definition)
    {
        try
        {
            using var stream = File.OpenRead(FileOf(definition));
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
        var file = FileOf(definition);
        var temporary = $"{file}.{Environment.ProcessId}.tmp";
        try
        {
            System.IO.Directory.CreateDirectory(Directory);
            File.WriteAllText(temporary, JsonSerializer.Serialize(tools, McpJsonUtilities.DefaultOptions));
            File.Move(temporary, file, overwrite: true);
            File.Delete(FailureFileOf(definition));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            // The cache is an optimisation: without it the server starts with the next session.
            File.Delete(temporary);
        }
    }

    /// <summary>The cache file of a definition.</summary>
    public string FileOf(McpServerDefinition definition) => Path.Combine(Directory, KeyOf(definition) + ".json");

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

        return $"{definition.Name}-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..16]}";
    }
}
