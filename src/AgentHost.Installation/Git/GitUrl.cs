using System.Text.RegularExpressions;
using AgentHost.Hosting;

namespace AgentHost.Installation.Git;

/// <summary>
/// A git repository named on the command line or in a marketplace: <c>https://…</c>, <c>ssh://…</c>,
/// <c>git@host:owner/repo.git</c> or <c>file://…</c>, with an optional ref after <c>#</c> or a final <c>@</c>.
/// </summary>
/// <remarks>
/// <c>owner/repo</c> alone is not a git URL here: on the command line it is a relative folder path (that is how
/// <c>agent plugin install</c> has always read it), so GitHub repositories are written as full URLs.
/// </remarks>
/// <param name="Url">The URL without the ref.</param>
/// <param name="Ref">The branch, tag or commit asked for; <see langword="null"/> for the default branch.</param>
internal sealed partial record GitUrl(string Url, string? Ref)
{
    private static readonly string[] Schemes = ["https://", "ssh://", "file://", "http://", "git://"];

    /// <summary>The URL with its ref, as the user writes it.</summary>
    public string Display => Ref is null ? Url : Url + "#" + Ref;

    /// <summary>Whether the text names a git repository (a URL with a git scheme, or <c>user@host:path</c>).</summary>
    public static bool Looks(string text) =>
        Schemes.Any(s => text.StartsWith(s, StringComparison.OrdinalIgnoreCase)) || ScpLike().IsMatch(text);

    /// <summary>The HTTPS clone URL of a GitHub <c>owner/repo</c>.</summary>
    /// <exception cref="AgentHostException">The text is not <c>owner/repo</c>.</exception>
    public static string GitHub(string repo) =>
        GitHubRepo().IsMatch(repo)
            ? $"https://github.com/{repo.Trim('/')}.git"
            : throw new AgentHostException(ErrorKind.Usage, $"'{repo}' is not a GitHub repository; write it as owner/repo.");

    /// <summary>Splits a git URL into the URL and its ref (<c>#ref</c>, or <c>@ref</c> after the last path segment).</summary>
    /// <param name="text">The text.</param>
    /// <returns>The URL and ref.</returns>
    /// <exception cref="AgentHostException">It is not a git URL, or uses an unencrypted transport.</exception>
    public static GitUrl Parse(string text)
    {
        text = text.Trim();
        if (!Looks(text))
        {
            throw new AgentHostException(ErrorKind.Usage, $"'{text}' is not a git URL; write https://host/owner/repo.git, ssh://host/repo.git, git@host:owner/repo.git or file:///path/to/repo.");
        }

        if (text.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("git://", StringComparison.OrdinalIgnoreCase))
        {
            throw new AgentHostException(ErrorKind.Usage, $"'{text}' uses an unencrypted transport, which anyone on the network could tamper with; use https:// or ssh instead.");
        }

        string? reference = null;
        var hash = text.LastIndexOf('#');
        if (hash >= 0)
        {
            reference = text[(hash + 1)..];
            text = text[..hash];
        }
        else
        {
            var pathStart = text.Contains("://", StringComparison.Ordinal)
                ? text.IndexOf('/', text.IndexOf("://", StringComparison.Ordinal) + 3)
                : text.IndexOf(':', StringComparison.Ordinal);
            var at = text.LastIndexOf('@');
            if (pathStart >= 0 && at > pathStart && at > text.LastIndexOf('/'))
            {
                reference = text[(at + 1)..];
                text = text[..at];
            }
        }

        if (reference is not null && (reference.Length == 0 || reference.StartsWith('-') || reference.Any(char.IsWhiteSpace)))
        {
            throw new AgentHostException(ErrorKind.Usage, $"'{reference}' is not a git ref; write a branch, tag or commit after '#', e.g. {text}#v1.2.0.");
        }

        return new GitUrl(text, reference);
    }

    /// <summary>Whether a ref is a full commit id (40 or 64 hex digits) rather than a branch or tag.</summary>
    public static bool IsCommitId(string? reference) => reference is { Length: 40 or 64 } && reference.All(Uri.IsHexDigit);

    [GeneratedRegex(@"^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:(?!//)\S+$")]
    private static partial Regex ScpLike();

    [GeneratedRegex(@"^[A-Za-z0-9._-]+/[A-Za-z0-9._-]+$")]
    private static partial Regex GitHubRepo();
}
