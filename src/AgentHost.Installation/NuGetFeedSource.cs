using System.Net;
using AgentHost.Hosting;
using AgentHost.Installation.Store;
using NuGet.Common;
using NuGet.Configuration;
using NuGet.Protocol;
using NuGet.Protocol.Core.Types;
using NuGet.Versioning;

namespace AgentHost.Installation;

/// <summary>
/// An HTTP NuGet feed read with NuGet.Protocol (<see cref="FindPackageByIdResource"/>: the v3 flat container, or a
/// v2 feed), with the credentials nuget.config gives for its URL. Packages are downloaded to a temporary file, their
/// signature is checked, then they are extracted; no package goes into the NuGet caches (NuGet's http-cache keeps
/// the service index).
/// </summary>
/// <remarks>
/// Never interactive: NuGet's credential service is not set, so a feed that answers 401/403 fails at once with a
/// message naming the source and where to put credentials.
/// </remarks>
internal sealed class NuGetFeedSource : PluginSource
{
    private readonly PluginFeed _feed;
    private readonly PackageSource _packageSource;
    private FindPackageByIdResource? _resource;
    private string? _flatContainer;

    public NuGetFeedSource(PluginFeed feed, PackageSourceCredential? credentials, Action<string>? report)
        : base("feed:" + feed.Name, $"feed '{feed.Name}' ({feed.Url})", report)
    {
        _feed = feed;
        _packageSource = new PackageSource(feed.Url, feed.Name) { Credentials = credentials };
    }

    public override bool CanListIds => false;

    protected override async Task<IReadOnlyList<PluginCandidate>> FindCoreAsync(string id, CancellationToken cancellationToken)
    {
        var resource = await GetResourceAsync(cancellationToken).ConfigureAwait(false);
        using var cache = NewCache();
        var versions = await CallAsync(() => resource.GetAllVersionsAsync(id, cache, NullLogger.Instance, cancellationToken), cancellationToken).ConfigureAwait(false);
        return [.. versions.Select(v => new PluginCandidate(id, v, Name, PackageUrl(id, v), CandidateKind.RemotePackage))];
    }

    /// <summary>Searches the feed's search service (<c>SearchQueryService</c>); a feed without one cannot be listed.</summary>
    protected override async Task<IReadOnlyList<PluginCandidate>> SearchCoreAsync(string? term, bool includePrerelease, CancellationToken cancellationToken)
    {
        await GetResourceAsync(cancellationToken).ConfigureAwait(false);
        var repository = Repository.Factory.GetCoreV3(_packageSource);
        var index = await CallAsync(() => repository.GetResourceAsync<ServiceIndexResourceV3>(cancellationToken), cancellationToken).ConfigureAwait(false);
        if (index?.GetServiceEntryUri(ServiceTypes.SearchQueryService) is null)
        {
            throw new AgentHostException(ErrorKind.Plugin, $"{Description}: it has no search service (SearchQueryService), so it cannot be listed; install its plugins by exact id ('agent plugin install <id> --source {_feed.Name}')");
        }

        var search = await CallAsync(() => repository.GetResourceAsync<PackageSearchResource>(cancellationToken), cancellationToken).ConfigureAwait(false)
            ?? throw new AgentHostException(ErrorKind.Plugin, $"{Description}: NuGet offers no search client for it");
        var found = await CallAsync(() => search.SearchAsync(term ?? string.Empty, new SearchFilter(includePrerelease), 0, 200, NullLogger.Instance, cancellationToken), cancellationToken).ConfigureAwait(false);
        return [.. found
            .Select(p => new PluginCandidate(p.Identity.Id.ToLowerInvariant(), p.Identity.Version, Name, PackageUrl(p.Identity.Id.ToLowerInvariant(), p.Identity.Version), CandidateKind.RemotePackage) { Description = p.Description })
            .Where(c => Matches(c, term))];
    }

    protected override async Task StageCoreAsync(PluginCandidate candidate, string destination, CancellationToken cancellationToken)
    {
        if (candidate.Kind != CandidateKind.RemotePackage)
        {
            await base.StageCoreAsync(candidate, destination, cancellationToken).ConfigureAwait(false);
            return;
        }

        var resource = await GetResourceAsync(cancellationToken).ConfigureAwait(false);
        var download = destination + ".nupkg";
        Report($"downloading {candidate.Origin}");
        try
        {
            var output = new CappedFileStream(download, NupkgExtractor.DefaultMaxTotalBytes, candidate.Origin);
            await using (output.ConfigureAwait(false))
            {
                using var cache = NewCache();
                var found = await CallAsync(() => resource.CopyNupkgToStreamAsync(candidate.Id!, candidate.Version!, output, cache, NullLogger.Instance, cancellationToken), cancellationToken).ConfigureAwait(false);
                if (!found)
                {
                    throw Failure($"{candidate.Id} {candidate.VersionText} is listed but its package could not be downloaded");
                }
            }

            await ExtractPackageAsync(download, destination, candidate.Origin, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            InstallFiles.TryDelete(download, Report);
        }
    }

    private static SourceCacheContext NewCache() => new() { NoCache = true, DirectDownload = true };

    /// <summary>The flat-container URL of a package, for messages and the lockfile (the download goes through NuGet.Protocol).</summary>
    private string PackageUrl(string id, NuGetVersion version)
    {
        var v = Uri.EscapeDataString(version.ToNormalizedString().ToLowerInvariant());
        var i = Uri.EscapeDataString(id);
        return _flatContainer is not null
            ? $"{_flatContainer}{i}/{v}/{i}.{v}.nupkg"
            : $"{_feed.Url.TrimEnd('/')}/package/{i}/{v}";
    }

    private async Task<FindPackageByIdResource> GetResourceAsync(CancellationToken cancellationToken)
    {
        if (_resource is not null)
        {
            return _resource;
        }

        if (!Uri.TryCreate(_feed.Url, UriKind.Absolute, out _))
        {
            throw Failure($"'{_feed.Url}' is not an absolute URL");
        }

        var repository = Repository.Factory.GetCoreV3(_packageSource);
        if (await CallAsync(() => repository.GetResourceAsync<ServiceIndexResourceV3>(cancellationToken), cancellationToken).ConfigureAwait(false) is { } index
            && index.GetServiceEntryUri(ServiceTypes.PackageBaseAddress) is { } flat)
        {
            _flatContainer = flat.AbsoluteUri.EndsWith('/') ? flat.AbsoluteUri : flat.AbsoluteUri + "/";
        }

        _resource = await CallAsync(() => repository.GetResourceAsync<FindPackageByIdResource>(cancellationToken), cancellationToken).ConfigureAwait(false)
            ?? throw Failure($"the service index {_feed.Url} offers no package download resource (PackageBaseAddress/3.0.0); give the URL of a NuGet v3 service index (…/index.json)");
        return _resource;
    }

    private async Task<T> CallAsync<T>(Func<Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is FatalProtocolException or HttpRequestException or InvalidDataException or Newtonsoft.Json.JsonException && !cancellationToken.IsCancellationRequested)
        {
            if (StatusOf(ex) is { } status and (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden))
            {
                throw AuthFailure(status, ex);
            }

            if (StatusOf(ex) is { } failed)
            {
                // The status and the feed in our words: the framework's message may be a bare resource key.
                throw Failure($"{_feed.Url} answered HTTP {(int)failed} ({StatusText(failed)}); check that the feed is up and that the URL is its NuGet v3 service index (…/index.json)", ex);
            }

            throw Unreachable(ex) is { } cause
                ? Failure($"could not reach {_feed.Url} ({cause})", ex)
                : Failure(Innermost(ex), ex);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw Failure($"{_feed.Url} did not answer in time", ex);
        }
    }

    private AgentHostException AuthFailure(HttpStatusCode status, Exception inner)
    {
        var code = $"{(int)status} {(status == HttpStatusCode.Unauthorized ? "Unauthorized" : "Forbidden")}";
        var problem = _packageSource.Credentials is null
            ? $"it requires authentication ({code}) and no credentials are configured for it"
            : $"it refused the credentials from nuget.config ({code})";
        return new AgentHostException(
            ErrorKind.Plugin,
            $"{Description}: {problem}. Add them for this source in your nuget.config (~/.nuget/NuGet/NuGet.Config), e.g. 'dotnet nuget add source {_feed.Url} --name {_feed.Name} --username USER --password TOKEN --store-password-in-clear-text', or a packageSourceCredentials entry whose ClearTextPassword is %SOME_VARIABLE%. Credential-provider plugins are not used by agent.",
            inner);
    }

    private static HttpStatusCode? StatusOf(Exception ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            if (e is HttpRequestException { StatusCode: { } code })
            {
                return code;
            }

            if (e.Message.Contains("401 (Unauthorized)", StringComparison.Ordinal))
            {
                return HttpStatusCode.Unauthorized;
            }

            if (e.Message.Contains("403 (Forbidden)", StringComparison.Ordinal))
            {
                return HttpStatusCode.Forbidden;
            }
        }

        return null;
    }

    /// <summary><c>Not Found</c> for 404: the status's name with spaces between its words.</summary>
    private static string StatusText(HttpStatusCode status) =>
        System.Text.RegularExpressions.Regex.Replace(status.ToString(), "(?<=[a-z])(?=[A-Z])", " ");

    /// <summary>The message of a connection failure (no HTTP answer at all), if that is what happened.</summary>
    private static string? Unreachable(Exception ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            if (e is HttpRequestException { StatusCode: null } http)
            {
                return http.InnerException?.Message ?? http.Message;
            }
        }

        return null;
    }

    private static string Innermost(Exception ex)
    {
        var messages = new List<string>();
        for (var e = ex; e is not null; e = e.InnerException)
        {
            messages.Add(e.Message.TrimEnd('.'));
        }

        return string.Join(": ", messages.Distinct(StringComparer.Ordinal));
    }

    private AgentHostException Failure(string problem, Exception? inner = null) =>
        new(ErrorKind.Plugin, $"{Description}: {problem}. Check the feed URL (config.yaml plugins.feeds, nuget.config packageSources, or --source) and your network.", inner);

    /// <summary>A file stream that refuses to grow past a size limit.</summary>
    private sealed class CappedFileStream(string path, long limit, string display)
        : FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true)
    {
        private long _written;

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            Count(buffer.Length);
            base.Write(buffer);
        }

        public override void Write(byte[] buffer, int offset, int count)
        {
            Count(count);
            base.Write(buffer, offset, count);
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Count(buffer.Length);
            return base.WriteAsync(buffer, cancellationToken);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Count(count);
            return base.WriteAsync(buffer, offset, count, cancellationToken);
        }

        private void Count(int count)
        {
            _written += count;
            if (_written > limit)
            {
                throw new AgentHostException(ErrorKind.Plugin, $"{display} is larger than {limit / (1024 * 1024)} MiB; refusing to download it.");
            }
        }
    }
}
