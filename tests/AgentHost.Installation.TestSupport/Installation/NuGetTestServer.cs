using System.Collections.Concurrent;
using System.Net;
using AgentHost.Tests.Support;
using System.Text;
using System.Text.Json;

namespace AgentHost.Tests.Installation;

/// <summary>
/// A NuGet v3 feed on 127.0.0.1 serving .nupkg files: a service index with a <c>PackageBaseAddress/3.0.0</c>
/// resource and the flat container (<c>{id}/index.json</c>, <c>{id}/{version}/{id}.{version}.nupkg</c>), and a
/// <c>SearchQueryService</c> (<c>v3/search?q=…</c>: ids containing the term, highest stable version unless
/// <c>prerelease=true</c>) describing each package as <see cref="Descriptions"/> says.
/// </summary>
public sealed class NuGetTestServer : IDisposable
{
    private readonly HttpListener _listener;
    private readonly ConcurrentDictionary<string, SortedDictionary<string, string>> _packages = new(StringComparer.Ordinal);
    private readonly Task _loop;

    public NuGetTestServer()
    {
        _listener = Ports.StartHttpListener(out var baseUrl);
        BaseUrl = baseUrl;
        _loop = Task.Run(ServeAsync);
    }

    public string BaseUrl { get; }

    public string IndexUrl => BaseUrl + "v3/index.json";

    /// <summary>Every path requested, in order.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>The user and password every request must carry (HTTP basic), or <see langword="null"/> for an open feed.</summary>
    public (string User, string Password)? BasicAuth { get; set; }

    /// <summary>The requests answered 401 for missing or wrong credentials.</summary>
    public int Unauthorized => _unauthorized;

    private int _unauthorized;

    /// <summary>Publishes a package file as <paramref name="id"/> <paramref name="version"/>.</summary>
    public void Add(string id, string version, string nupkgPath) =>
        _packages.GetOrAdd(id.ToLowerInvariant(), _ => new SortedDictionary<string, string>(StringComparer.Ordinal))[version.ToLowerInvariant()] = nupkgPath;

    /// <summary>When set, every request but the service index's is answered with this status and an empty body (a broken feed).</summary>
    public int? FailWith { get; set; }

    /// <summary>Whether the service index offers the search service (a static file feed does not).</summary>
    public bool Searchable { get; set; } = true;

    /// <summary>The description the search service gives a package id (default: <c>Test plugin {id}</c>).</summary>
    public Dictionary<string, string> Descriptions { get; } = new(StringComparer.Ordinal);

    public void Dispose()
    {
        // Close alone: after Stop, the managed listener's Close binds the port again to unregister, which fails
        // ("Address already in use") once another test's listener has taken the port (as FakeHttpServer does).
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(10));
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using var response = context.Response;
            var path = context.Request.Url!.AbsolutePath;
            Requests.Enqueue(path);
            if (BasicAuth is { } auth && context.Request.Headers["Authorization"] != "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(auth.User + ":" + auth.Password)))
            {
                Interlocked.Increment(ref _unauthorized);
                response.StatusCode = 401;
                response.AddHeader("WWW-Authenticate", "Basic realm=\"test feed\"");
                response.ContentLength64 = 0;
                continue;
            }

            var (status, body) = FailWith is { } failure && path != "/v3/index.json"
                ? (failure, [])
                : Answer(path, context.Request.QueryString["q"] ?? string.Empty, context.Request.QueryString["prerelease"] == "true");
            response.StatusCode = status;
            response.ContentLength64 = body.Length;
            await response.OutputStream.WriteAsync(body);
        }
    }

    private (int Status, byte[] Body) Answer(string path, string query, bool prerelease)
    {
        if (path == "/v3/search")
        {
            var hits = _packages
                .Where(p => p.Key.Contains(query, StringComparison.OrdinalIgnoreCase))
                .OrderBy(p => p.Key, StringComparer.Ordinal)
                .Select(p => (Id: p.Key, Versions: p.Value.Keys.Where(v => prerelease || !v.Contains('-', StringComparison.Ordinal)).ToList()))
                .Where(p => p.Versions.Count > 0)
                .Select(p => new Dictionary<string, object>
                {
                    ["@id"] = BaseUrl + "v3/registration/" + p.Id + "/index.json",
                    ["id"] = p.Id,
                    ["version"] = p.Versions.Select(NuGet.Versioning.NuGetVersion.Parse).Max()!.ToNormalizedString(),
                    ["description"] = Descriptions.TryGetValue(p.Id, out var text) ? text : "Test plugin " + p.Id,
                    ["versions"] = p.Versions.Select(v => new Dictionary<string, object> { ["version"] = v, ["downloads"] = 0 }).ToArray(),
                })
                .ToArray();
            return Json(new Dictionary<string, object> { ["totalHits"] = hits.Length, ["data"] = hits });
        }

        if (path == "/v3/index.json")
        {
            return Json(new Dictionary<string, object>
            {
                ["version"] = "3.0.0",
                ["resources"] = new object[]
                {
                    new Dictionary<string, string> { ["@id"] = BaseUrl + "v3/search", ["@type"] = "SearchQueryService/3.0.0-beta" },
                    new Dictionary<string, string> { ["@id"] = BaseUrl + "v3/flat", ["@type"] = "PackageBaseAddress/3.0.0" },
                }.Skip(Searchable ? 0 : 1).ToArray(),
            });
        }

        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts is ["v3", "flat", var id, "index.json"] && _packages.TryGetValue(id, out var versions))
        {
            return Json(new { versions = versions.Keys.ToArray() });
        }

        if (parts is ["v3", "flat", var pid, var version, var file]
            && _packages.TryGetValue(pid, out var byVersion)
            && byVersion.TryGetValue(version, out var nupkg)
            && file == $"{pid}.{version}.nupkg")
        {
            return (200, File.ReadAllBytes(nupkg));
        }

        return (404, Encoding.UTF8.GetBytes("not found"));
    }

    private static (int, byte[]) Json(object value) => (200, JsonSerializer.SerializeToUtf8Bytes(value));
}
