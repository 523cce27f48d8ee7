using AgentHost.Hosting;
using AgentHost.Hosting.Text;
namespace AgentHost.Agent.Context;

/// <summary>
/// A URL reference, fetched by the registered <c>fetch</c> tool through the kernel's tool pipeline: the permission
/// gate (network rules, mode), the web plugin's domain rules and private-address guard, its size limits and its
/// readability extraction all apply, exactly as when the model calls <c>fetch</c>. There is no second HTTP client here.
/// </summary>
internal static class UrlContext
{
    /// <summary>What the model and the user are told when no <c>fetch</c> tool is loaded.</summary>
    public const string NoFetchTool = "URL references are fetched by the web plugin's fetch tool, which is not loaded; add --plugin web (or enable the web plugin)";

    public static async Task<ContextReference?> FetchAsync(Func<string, CancellationToken, Task<string>>? fetch, string url, ContextLimits limits, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out _))
        {
            return null;
        }

        if (fetch is null)
        {
            return Refused(url, NoFetchTool);
        }

        try
        {
            var text = await fetch(url, cancellationToken).ConfigureAwait(false);
            return new ContextReference(url, ContextReferenceKind.Url, url, TextCaps.HeadAndTail(text, limits.MaxCharacters, out var cut)) { Truncated = cut };
        }
        catch (AgentHostException ex)
        {
            return Refused(url, ex.Message);
        }
    }

    private static ContextReference Refused(string url, string why) =>
        new(url, ContextReferenceKind.Url, url, $"(not included: {url} was not fetched: {why})") { Denied = why };
}
