namespace AgentHost.Hosting.Configuration;

/// <summary>A place plugins are installed from, from <c>plugins.feeds</c>.</summary>
/// <param name="Name">The feed's name (its url when the config names none).</param>
/// <param name="Url">
/// An http(s) URL, or an absolute local folder path. Relative folders in a file are resolved against the folder of that
/// file; from the environment or a flag, against the current directory. <c>~/</c> is the home directory.
/// </param>
public sealed record PluginFeedSettings(string Name, string Url)
{
    /// <summary>Whether <see cref="Url"/> is a local folder rather than an http(s) URL.</summary>
    public bool IsLocalFolder => !ConfigValidator.IsHttpUrl(Url);
}
