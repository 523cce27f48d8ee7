using System.Globalization;
using AgentHost.Hosting.Configuration;
using AgentHost.Permissions.Paths;

namespace AgentHost.Permissions.Rules;

/// <content>The session layer (<see cref="SessionPolicy"/>) and the configured read cap it is checked against.</content>
public sealed partial class PermissionPolicy
{
    /// <summary>The configuration key of the largest read result (bytes) given to the model; the smallest value of any layer applies.</summary>
    public const string MaxReadBytesKey = "permissions.max_read_bytes";

    /// <summary>The read cap from <c>permissions.max_read_bytes</c> (the smallest of every layer), if set.</summary>
    public long? ConfiguredMaxReadBytes { get; private init; }

    /// <summary>Where <see cref="ConfiguredMaxReadBytes"/> was set (<c>file:line</c>, env or flag).</summary>
    public string? MaxReadBytesOrigin { get; private init; }

    /// <summary>The session layers (<see cref="WithSession"/>), in the order they were added; each only narrows, and every one applies.</summary>
    public IReadOnlyList<SessionPolicy> SessionLayers { get; private init; } = [];

    /// <summary>The read cap that applies: the smallest of the configuration's and every session layer's; <see langword="null"/> when none is set.</summary>
    public long? MaxReadBytes =>
        SessionLayers.Select(l => l.MaxReadBytes).Append(ConfiguredMaxReadBytes).Where(b => b is not null).Min();

    /// <summary>The <see cref="SessionPolicy.DenyTools"/> entry of any session layer that refuses a tool, or <see langword="null"/>.</summary>
    /// <param name="tool">The tool's plain name.</param>
    /// <param name="plugin">Its plugin's id, if any.</param>
    /// <returns>The matching entry.</returns>
    public string? DeniedTool(string tool, string? plugin)
    {
        ArgumentNullException.ThrowIfNull(tool);
        return SessionLayers.Select(l => l.DeniedTool(tool, plugin)).FirstOrDefault(n => n is not null);
    }

    /// <summary>
    /// This policy with one more session layer under every configured rule: the engine denies a file path a layer's
    /// deny globs match or its allow globs do not, and a network call to a host outside its allowlist, after the safety
    /// floor and the deny rules and before anything that could allow; the read cap becomes the smaller one.
    /// </summary>
    /// <param name="session">The layer; <see cref="SessionPolicy.None"/> returns this policy.</param>
    /// <returns>The narrower policy.</returns>
    public PermissionPolicy WithSession(SessionPolicy session)
    {
        ArgumentNullException.ThrowIfNull(session);
        return session.IsEmpty
            ? this
            : new PermissionPolicy(Rules, SafetyFloor, ExtraDirectories, Mode, Problems)
            {
                Project = Project,
                ConfiguredMaxReadBytes = ConfiguredMaxReadBytes,
                MaxReadBytesOrigin = MaxReadBytesOrigin,
                SessionLayers = [.. SessionLayers, session],
            };
    }

    /// <summary>Why a session's read cap would widen the configuration's, or <see langword="null"/> when it does not.</summary>
    /// <param name="session">The session's policy.</param>
    /// <param name="field">How the caller names the setting in the message (<c>settings.</c> for a JSON body).</param>
    /// <returns>The message naming the setting, the configured cap and where it is set, and the fix.</returns>
    public string? WideningError(SessionPolicy session, string field = "")
    {
        ArgumentNullException.ThrowIfNull(session);
        return session.MaxReadBytes is { } asked && ConfiguredMaxReadBytes is { } cap && asked > cap
            ? string.Create(CultureInfo.InvariantCulture, $"{field}max_read_bytes: {asked} is more than {MaxReadBytesKey} ({cap}, {MaxReadBytesOrigin}); a session policy can only narrow the configuration: give {cap} or less")
            : null;
    }

    private static (long Bytes, string Origin)? ReadMaxReadBytes(IEnumerable<ConfigEntry> entries, List<ConfigProblem> problems)
    {
        (long Bytes, string Origin)? smallest = null;
        var seen = new HashSet<(string?, int?, string)>();
        foreach (var entry in entries.Where(e => string.Equals(e.Key, MaxReadBytesKey, StringComparison.OrdinalIgnoreCase)))
        {
            if (!seen.Add((entry.File, entry.Line, entry.Value)))
            {
                continue;
            }

            if (!long.TryParse(entry.Value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var bytes) || bytes is < SessionPolicy.MinReadBytes or > SessionPolicy.MaxReadBytesLimit)
            {
                problems.Add(ConfigProblem.At(ConfigSeverity.Error, entry, entry.Key, string.Create(CultureInfo.InvariantCulture, $"'{entry.Value}' is not a number of bytes from {SessionPolicy.MinReadBytes} to {SessionPolicy.MaxReadBytesLimit}; the value is ignored")));
                continue;
            }

            if (smallest is null || bytes < smallest.Value.Bytes)
            {
                smallest = (bytes, entry.File is { } file ? (entry.Line is { } line ? string.Create(CultureInfo.InvariantCulture, $"{file}:{line}") : file) : entry.Source);
            }
        }

        return smallest;
    }
}
