using System.Text;
using AgentHost.Common.Hashing;

namespace AgentHost.Agent.Skills;

/// <summary>
/// Every skill as it was when a session (one run) started: a content hash of its <c>SKILL.md</c> and of its folder's
/// file list (names and sizes). A skill whose fingerprint differs, or that did not exist, was created or changed during
/// the session (perhaps by the model itself), so its <c>allowed-tools</c> must not pre-approve anything.
/// </summary>
/// <remarks>
/// Immutable and thread-safe. Taking it lists each skill folder (at most 1,000 entries) and hashes each <c>SKILL.md</c>:
/// a session's baseline uses the hash its catalog computed of the bytes it parsed in that session's opening read
/// (<see cref="Skill.ContentHash"/>: one read of each <c>SKILL.md</c> per run), any other baseline reads the file.
/// </remarks>
internal sealed class SkillBaseline
{
    private const int MaxEntries = 1000;
    private const int StackLimit = 16 * 1024;

    private readonly Dictionary<string, string> _fingerprints;

    private SkillBaseline(Dictionary<string, string> fingerprints) => _fingerprints = fingerprints;

    /// <summary>Fingerprints the skills found now, reading each <c>SKILL.md</c>.</summary>
    /// <param name="skills">Every skill of the catalog.</param>
    /// <returns>The baseline.</returns>
    public static SkillBaseline Take(IEnumerable<Skill> skills) => Take(skills, useContentHashes: false);

    /// <summary>Fingerprints the skills found now.</summary>
    /// <param name="skills">Every skill of the catalog.</param>
    /// <param name="useContentHashes">
    /// Whether a skill's <see cref="Skill.ContentHash"/> stands for its <c>SKILL.md</c> (instead of a new read): only
    /// when the skills come from a catalog created when the session opened and were read before any tool ran, so that
    /// the bytes hashed are the file as it was when the session started.
    /// </param>
    /// <returns>The baseline.</returns>
    public static SkillBaseline Take(IEnumerable<Skill> skills, bool useContentHashes)
    {
        var fingerprints = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var skill in skills)
        {
            if (Fingerprint(skill, useContentHashes ? skill.ContentHash : null) is { } fingerprint)
            {
                fingerprints[Path.GetFullPath(skill.File)] = fingerprint;
            }
        }

        return new SkillBaseline(fingerprints);
    }

    /// <summary>The content hash of a <c>SKILL.md</c>'s bytes, as the fingerprint takes it.</summary>
    /// <param name="file">The bytes of the file.</param>
    /// <returns>The hash, in hexadecimal.</returns>
    internal static string HashFile(ReadOnlySpan<byte> file) =>
        // The managed SHA-256 for small skills: hashing does not load OpenSSL (Common/Hashing/Sha256.cs).
        Convert.ToHexString(Sha256.HashData(file));

    /// <summary>Whether the skill existed when the baseline was taken and is unchanged since.</summary>
    /// <param name="skill">The skill.</param>
    /// <returns>Whether it is unchanged.</returns>
    public bool IsUnchanged(Skill skill) =>
        _fingerprints.TryGetValue(Path.GetFullPath(skill.File), out var before) && Fingerprint(skill, null) is { } now && string.Equals(before, now, StringComparison.Ordinal);

    /// <summary>
    /// The hash of the hash of <c>SKILL.md</c> (<paramref name="fileHash"/>, or the file read now) and the folder's file
    /// list, or <see langword="null"/> when it cannot be read.
    /// </summary>
    private static string? Fingerprint(Skill skill, string? fileHash)
    {
        try
        {
            fileHash ??= HashFile(File.ReadAllBytes(skill.File));
            var folder = new DirectoryInfo(skill.Directory);
            var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = true };
            var entries = folder.EnumerateFileSystemInfos("*", options).Take(MaxEntries).Select(Describe).Order(StringComparer.Ordinal).ToList();

            // The bytes hashed, in one buffer of their exact size (on the stack for a small skill): a session takes the
            // baseline of every skill, 200 of them with 100 installed plugins.
            var length = fileHash.Length + entries.Sum(entry => Encoding.UTF8.GetByteCount(entry));
            var content = length <= StackLimit ? stackalloc byte[length] : new byte[length];
            var written = Encoding.ASCII.GetBytes(fileHash, content);
            foreach (var entry in entries)
            {
                written += Encoding.UTF8.GetBytes(entry, content[written..]);
            }

            return HashFile(content);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return null;
        }

        string Describe(FileSystemInfo entry) =>
            $"\n{Path.GetRelativePath(skill.Directory, entry.FullName)}|{(entry is FileInfo file ? file.Length : -1)}|{entry.LinkTarget}";
    }
}
