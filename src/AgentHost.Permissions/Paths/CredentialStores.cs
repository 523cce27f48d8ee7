namespace AgentHost.Permissions.Paths;

/// <summary>One credential store below the home directory.</summary>
/// <param name="Pattern">What the safety floor keeps from being read (<c>~/.ssh/id_*</c>), a path pattern below the home directory.</param>
/// <param name="Hidden">What the process sandbox hides (<c>~/.ssh</c>): the folder or file holding the store.</param>
/// <param name="Marker">Text every spelling of it holds, for paths only known at run time (<c>.ssh</c>).</param>
/// <param name="IsFolder">Whether the pattern names a folder (everything in it is the store).</param>
internal sealed record CredentialStore(string Pattern, string Hidden, string Marker, bool IsFolder = false);

/// <summary>
/// The credential stores, one list for the safety floor (which denies reading them through tools and shell arguments)
/// and the process sandbox (which hides them from what the model runs, whatever the command line says). Add a store
/// here and both keep it.
/// </summary>
internal static class CredentialStores
{
    /// <summary>The stores, all below the home directory.</summary>
    public static readonly IReadOnlyList<CredentialStore> All =
    [
        new("~/.ssh/id_*", "~/.ssh", ".ssh"),
        new("~/.aws/credentials", "~/.aws", ".aws"),
        new("~/.config/gcloud", "~/.config/gcloud", "gcloud", IsFolder: true),
        new("~/.netrc", "~/.netrc", ".netrc"),
        new("~/.docker/config.json", "~/.docker/config.json", ".docker"),
        new("~/.git-credentials", "~/.git-credentials", ".git-credentials"),
        new("~/.config/gh/hosts.yml", "~/.config/gh", "gh/hosts"),
        new("~/.gnupg/private-keys-v1.d", "~/.gnupg", ".gnupg", IsFolder: true),
    ];

    /// <summary>The floor's patterns (<c>~/…</c>).</summary>
    public static readonly string[] Patterns = [.. All.Select(store => store.Pattern)];

    /// <summary>
    /// The folders holding a store, below the home directory (<c>.ssh</c>, <c>.config</c>, <c>.config/gcloud</c>): a
    /// command given one of them (<c>tar c ~/.ssh</c>) reads the stores inside.
    /// </summary>
    public static readonly string[] Folders =
    [
        .. All.SelectMany(store => Parents(store.Pattern[2..]))
            .Concat(All.Where(store => store.IsFolder).Select(store => store.Pattern[2..]))
            .Select(folder => folder.Replace('/', Path.DirectorySeparatorChar))
            .Distinct(StringComparer.Ordinal),
    ];

    /// <summary>Whether text (a path computed at run time) mentions a store.</summary>
    /// <param name="text">The text.</param>
    /// <returns>Whether it may name one.</returns>
    public static bool Mentioned(string text) => All.Any(store => text.Contains(store.Marker, StringComparison.OrdinalIgnoreCase));

    /// <summary>The places the sandbox hides, as absolute paths below <paramref name="home"/>.</summary>
    /// <param name="home">The home directory.</param>
    /// <returns>The paths.</returns>
    public static IEnumerable<string> HiddenBelow(string home) => All.Select(store => Path.Combine(home, store.Hidden[2..]));

    private static IEnumerable<string> Parents(string relative)
    {
        var parts = relative.Split('/');
        for (var count = 1; count < parts.Length; count++)
        {
            yield return string.Join('/', parts[..count]);
        }
    }
}
