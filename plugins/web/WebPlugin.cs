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
            "Fetches a web page with an HTTP GET and returns its readable main content as Markdown, with navigation, ads, " +
            "cookie banners, comments and other boilerplate removed (format text: the same without markup; html: the raw page). " +
            "Text and JSON responses are returned as they are; images and other binary files are refused (use download). " +
            "Long results are cut; the result says which offset continues. Private and local network addresses are refused.",
            new ToolMetadata(ToolEffect.Network)
            {
                DescribeCall = CallDescriptions.Fetch,
                Timeout = settings.Timeout + HostLimitMargin,
                Parallelizable = true,
            },
            ([Description("The http or https URL to fetch.")] string url,
             [Description("markdown (default): the page's readable main content as Markdown; text: the same as plain text; html: the raw HTML.")] string? format = null,
             [Description("Most characters to return (default and maximum are set by the user; typically 20000).")] int? max_length = null,
             [Description("Character offset to start from, to read on in a long page (a previous result says which).")] int? offset = null,
             CancellationToken cancellationToken = default) =>
                fetch.RunAsync(url, format, max_length, offset, cancellationToken));

        builder.AddTool(
            "download",
            "Downloads a URL with an HTTP GET into a file inside the project root (any type: images, archives, PDFs). " +
            "The file appears only when complete; an existing file is kept unless overwrite is true. " +
            "Returns the size, content type and SHA-256. Private and local network addresses are refused.",
            new ToolMetadata(ToolEffect.Network | ToolEffect.Write)
            {
                DescribeCall = CallDescriptions.Download,
                Timeout = settings.DownloadTimeout + HostLimitMargin,
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
