using System.ComponentModel;
using AgentHost.Sdk;
using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Tools;
using Microsoft.Extensions.AI;

namespace AgentHost.Plugins.Web;

/// <summary>Registers the web tools: <c>fetch</c> (a page as Markdown, text or HTML) and <c>download</c> (a file into the project).</summary>
public sealed class WebPlugin : AgentPlugin
{
    /// <summary>Added to the plugin's own time limits, so the host's limit never cuts a request before the plugin reports it.</summary>
    private static readonly TimeSpan HostLimitMargin = TimeSpan.FromSeconds(30);

    protected override void RegisterCore(IPluginBuilder builder)
    {
        var settings = WebSettings.Parse(builder.Context.Settings, builder.Context.Version);
        var fetcher = new HttpFetcher(settings);
        builder.Context.Stopping.Register(fetcher.Dispose);
        var fetch = new FetchTool(fetcher, settings, new PageCache(TimeProvider.System));
        var download = new DownloadTool(fetcher, settings);

        builder.AddTool(
            "fetch",
            "Fetches a web page (HTTP GET) as Markdown of its main content; text and JSON as they are. Refuses binary files and " +
            "private addresses. Long pages are cut; the result gives the offset to read on.",
            new ToolMetadata(ToolEffect.Network)
            {
                DescribeCall = CallDescriptions.Fetch,
                Timeout = settings.Timeout + HostLimitMargin,
                Parallelizable = true,
                Deferred = false,
            },
            ([Description("The http(s) URL.")] string url,
             [Description("'markdown' (default), 'text' or 'html' (raw).")] string? format = null,
             [Description("Most characters to return.")] int? max_length = null,
             [Description("Character offset to read on from.")] int? offset = null,
             [Description("Request headers by name (e.g. Authorization, Accept); sent to the URL's own origin only.")] IReadOnlyDictionary<string, string>? headers = null,
             CancellationToken cancellationToken = default) =>
                fetch.RunAsync(url, format, max_length, offset, cancellationToken, headers));

        builder.AddTool(
            "download",
            "Downloads a URL with an HTTP GET into a file inside the project root (any type: images, archives, PDFs). " +
            "The file appears only when complete; an existing file is kept unless overwrite is true. " +
            "Returns the size, content type and SHA-256. Private and local network addresses are refused.",
            new ToolMetadata(ToolEffect.Network | ToolEffect.Write)
            {
                DescribeCall = CallDescriptions.Download,
                Timeout = settings.DownloadTimeout + HostLimitMargin,
                Deferred = true,
            },
            ([Description("The http or https URL to download.")] string url,
             [Description("File to save to, relative to the project root (parent folders are created).")] string path,
             [Description("When true, replace the file if it exists (default false: an existing file is an error).")] bool overwrite = false,
             [Description("When true, only check the URL and path; nothing is downloaded.")] bool? dry_run = null,
             AIFunctionArguments arguments = null!,
             CancellationToken cancellationToken = default) =>
                download.RunAsync(arguments.GetWorkspacePaths(), url, path, overwrite, arguments.IsDryRun(dry_run), cancellationToken));
    }
}
