using System.Net;
using System.Text.Json;
using NuGet.Versioning;

namespace AgentHost.Kernel.Installation;

/// <summary>
/// An HTTP NuGet v3 feed, using only the flat container: the service index's <c>PackageBaseAddress/3.0.0</c>
/// resource, <c>{base}/{id}/index.json</c> for versions and <c>{base}/{id}/{version}/{id}.{version}.nupkg</c>.
/// </summary>
/// <remarks>The flat container has no search, so this source cannot list ids for "did you mean" hints.</remarks>
internal sealed class NuGetFeedSource(PluginFeed feed, HttpClient httpClient, Action<string>? report)
    : PluginSource("feed:" + feed.Name, $"feed '{feed.Name}' ({feed.Url})", report)
{
    private const string FlatContainerType = "PackageBaseAddress/3.0.0";

    private Uri? _baseAddress;

    public override bool CanListIds => false;

    protected override async Task<IReadOnlyList<PluginCandidate>> FindCoreAsync(string id, CancellationToken cancellationToken)
    {
        var baseAddress = await GetBaseAddressAsync(cancellationToken).ConfigureAwait(false);
        var indexUri = new Uri(baseAddress, Uri.EscapeDataString(id) + "/index.json");
        using var response = await SendAsync(indexUri, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return [];
        }

        EnsureSuccess(response, indexUri);
        using var document = await ReadJsonAsync(response, indexUri, cancellationToken).ConfigureAwait(false);
        if (!document.RootElement.TryGetProperty("versions", out var versions) || versions.ValueKind != JsonValueKind.Array)
        {
            throw Failure($"{indexUri} has no 'versions' list; it is not a NuGet v3 flat container");
        }

        var result = new List<PluginCandidate>();
        foreach (var item in versions.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.String && NuGetVersion.TryParse(item.GetString(), out var version))
            {
                var v = version.ToNormalizedString().ToLowerInvariant();
                var url = new Uri(baseAddress, $"{Uri.EscapeDataString(id)}/{Uri.EscapeDataString(v)}/{Uri.EscapeDataString(id)}.{Uri.EscapeDataString(v)}.nupkg");
                result.Add(new PluginCandidate(id, version, Name, url.AbsoluteUri, CandidateKind.RemotePackage));
            }
        }

        return result;
    }

    protected override async Task StageCoreAsync(PluginCandidate candidate, string destination, CancellationToken cancellationToken)
    {
        if (candidate.Kind != CandidateKind.RemotePackage)
        {
            await base.StageCoreAsync(candidate, destination, cancellationToken).ConfigureAwait(false);
            return;
        }

        var uri = new Uri(candidate.Origin);
        var download = destination + ".nupkg";
        Report($"downloading {uri}");
        try
        {
            using (var response = await SendAsync(uri, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false))
            {
                EnsureSuccess(response, uri);
                if (response.Content.Headers.ContentLength > NupkgExtractor.DefaultMaxTotalBytes)
                {
                    throw Failure($"{uri} is larger than {NupkgExtractor.DefaultMaxTotalBytes / (1024 * 1024)} MiB; refusing to download it");
                }

                await CopyCappedAsync(response, uri, download, cancellationToken).ConfigureAwait(false);
            }

            NupkgExtractor.Extract(download, destination, uri.AbsoluteUri, cancellationToken: cancellationToken);
        }
        finally
        {
            InstallFiles.TryDelete(download, Report);
        }
    }

    private static async Task CopyCappedAsync(HttpResponseMessage response, Uri uri, string path, CancellationToken cancellationToken)
    {
        var input = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (input.ConfigureAwait(false))
        {
            var output = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true);
            await using (output.ConfigureAwait(false))
            {
                var buffer = new byte[81920];
                long total = 0;
                int read;
                while ((read = await input.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    total += read;
                    if (total > NupkgExtractor.DefaultMaxTotalBytes)
                    {
                        throw new AgentHostException(ErrorKind.Plugin, $"{uri} is larger than {NupkgExtractor.DefaultMaxTotalBytes / (1024 * 1024)} MiB; refusing to download it.");
                    }

                    await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    private async Task<Uri> GetBaseAddressAsync(CancellationToken cancellationToken)
    {
        if (_baseAddress is not null)
        {
            return _baseAddress;
        }

        if (!Uri.TryCreate(feed.Url, UriKind.Absolute, out var indexUri))
        {
            throw Failure($"'{feed.Url}' is not an absolute URL");
        }

        using var response = await SendAsync(indexUri, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        EnsureSuccess(response, indexUri);
        using var document = await ReadJsonAsync(response, indexUri, cancellationToken).ConfigureAwait(false);
        if (document.RootElement.ValueKind == JsonValueKind.Object
            && document.RootElement.TryGetProperty("resources", out var resources)
            && resources.ValueKind == JsonValueKind.Array)
        {
            foreach (var resource in resources.EnumerateArray())
            {
                if (resource.ValueKind == JsonValueKind.Object
                    && HasType(resource, FlatContainerType)
                    && resource.TryGetProperty("@id", out var id)
                    && Uri.TryCreate(id.GetString(), UriKind.Absolute, out var address))
                {
                    _baseAddress = address.AbsoluteUri.EndsWith('/') ? address : new Uri(address.AbsoluteUri + "/");
                    return _baseAddress;
                }
            }
        }

        throw Failure($"the service index {indexUri} has no '{FlatContainerType}' resource; give the URL of a NuGet v3 service index (…/index.json)");
    }

    private static bool HasType(JsonElement resource, string type)
    {
        if (!resource.TryGetProperty("@type", out var value))
        {
            return false;
        }

        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString() == type,
            JsonValueKind.Array => value.EnumerateArray().Any(t => t.ValueKind == JsonValueKind.String && t.GetString() == type),
            _ => false,
        };
    }

    private async Task<HttpResponseMessage> SendAsync(Uri uri, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        try
        {
            return await httpClient.GetAsync(uri, completion, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw Failure($"could not reach {uri} ({ex.Message})", ex);
        }
        catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw Failure($"{uri} did not answer in time", ex);
        }
    }

    private void EnsureSuccess(HttpResponseMessage response, Uri uri)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw Failure($"{uri} answered {(int)response.StatusCode} {response.ReasonPhrase}");
        }
    }

    private async Task<JsonDocument> ReadJsonAsync(HttpResponseMessage response, Uri uri, CancellationToken cancellationToken)
    {
        try
        {
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                return await JsonDocument.ParseAsync(stream, default, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (JsonException ex)
        {
            throw Failure($"{uri} did not return valid JSON ({ex.Message})", ex);
        }
    }

    private AgentHostException Failure(string problem, Exception? inner = null) =>
        new(ErrorKind.Plugin, $"{Description}: {problem}. Check the feed URL (config.yaml, plugins.feeds, or --source) and your network.", inner);
}
