namespace AgentHost.Installation;

/// <summary>A configured plugin feed: a NuGet v3 service index URL, or a local folder of <c>.nupkg</c> files.</summary>
/// <param name="Name">The feed name, recorded in the lockfile as <c>feed:&lt;name&gt;</c>.</param>
/// <param name="Url">An <c>http(s)://…/index.json</c> URL, a <c>file://</c> URL or a folder path.</param>
public sealed record PluginFeed(string Name, string Url)
{
    /// <summary>Whether the feed is served over HTTP(S) (otherwise it is a local folder).</summary>
    public bool IsHttp =>
        Uri.TryCreate(Url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    /// <summary>The local folder of a folder feed, resolved against <paramref name="baseDirectory"/>.</summary>
    /// <param name="baseDirectory">The folder relative paths are resolved against.</param>
    /// <returns>The full path.</returns>
    public string LocalPath(string baseDirectory) =>
        Uri.TryCreate(Url, UriKind.Absolute, out var uri) && uri.IsFile ? uri.LocalPath : Path.GetFullPath(Url, baseDirectory);
}
