using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using AgentHost.Hosting.Plugins;
using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Tools;
using AgentHost.Tests.Support;
using Microsoft.Extensions.AI;

namespace AgentHost.Plugins.Web.Tests;

/// <summary>The web plugin loaded from the bundled catalog, a temp project root "ws", and a page server on 127.0.0.1.</summary>
internal sealed class WebPluginFixture : IAsyncDisposable
{
    /// <summary>What most tests use: the test server's address allowed explicitly, everything else at its default.</summary>
    public static readonly (string Key, string Value)[] AllowLoopbackServer = [("allow_private_addresses.0", "127.0.0.1")];

    private WebPluginFixture(PluginHarness harness, TempDirectory temp, PageServer server)
    {
        Harness = harness;
        Temp = temp;
        Server = server;
    }

    public PluginHarness Harness { get; }

    public TempDirectory Temp { get; }

    public PageServer Server { get; }

    public string Root => Temp.Combine("ws");

    public static async Task<WebPluginFixture> LoadAsync(params (string Key, string Value)[] settings)
    {
        var harness = new PluginHarness();
        var temp = new TempDirectory();
        Directory.CreateDirectory(temp.Combine("ws"));
        var result = await harness.LoadAsync(Catalog.PathOf("web"), settings.ToDictionary(s => s.Key, s => s.Value));
        Assert.True(result.Status == PluginLoadStatus.Loaded, result.Error);
        return new WebPluginFixture(harness, temp, new PageServer());
    }

    /// <summary>A URL on the page server.</summary>
    public string Url(string path) => Server.Root + path.TrimStart('/');

    public ToolCapability Tool(string name) => (ToolCapability)Harness.Registry.Find(CapabilityKind.Tool, name)!.Capability;

    public Task<string> FetchAsync(string url, params (string Key, object? Value)[] more) => InvokeAsync("fetch", [("url", url), .. more]);

    public Task<string> DownloadAsync(string url, string path, params (string Key, object? Value)[] more) =>
        InvokeAsync("download", [("url", url), ("path", path), .. more]);

    /// <summary>Runs a call that must fail and returns its message.</summary>
    public async Task<string> FailureAsync(string tool, params (string Key, object? Value)[] args)
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => InvokeAsync(tool, args));
        return error.Message;
    }

    public async Task<string> InvokeAsync(string tool, params (string Key, object? Value)[] args)
    {
        var arguments = new AIFunctionArguments { Context = new Dictionary<object, object?> { [ToolContext.WorkspaceRootKey] = Root } };
        foreach (var (key, value) in args)
        {
            arguments[key] = value;
        }

        var result = await Tool(tool).Function.InvokeAsync(arguments);
        return result is JsonElement { ValueKind: JsonValueKind.String } element ? element.GetString()! : result?.ToString() ?? string.Empty;
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        await Harness.DisposeAsync();
        Temp.Dispose();
    }
}

/// <summary>
/// Serves scripted pages on 127.0.0.1: each path has a handler; unknown paths are 404. Held bodies send their first
/// part and then nothing until the client leaves or the server stops.
/// </summary>
internal sealed class PageServer : FakeHttpServer
{
    private readonly ConcurrentDictionary<string, Func<HttpListenerResponse, Task>> _routes = new(StringComparer.Ordinal);

    public PageServer()
        : base("text/html; charset=utf-8", " ", TimeSpan.FromHours(1))
    {
    }

    /// <summary>The requests received for a path.</summary>
    public int Hits(string path) => Requests.Count(r => r.Path == "/" + path.TrimStart('/'));

    public void Route(string path, Func<HttpListenerResponse, Task> handler) => _routes["/" + path.TrimStart('/')] = handler;

    public void Page(string path, string html) => Route(path, r => WriteAsync(r, 200, html, "text/html; charset=utf-8"));

    public void Bytes(string path, byte[] body, string? contentType, params (string Name, string Value)[] headers) =>
        Route(path, r => BytesAsync(r, 200, body, contentType, headers));

    public void Redirect(string path, string location, int status = 302) =>
        Route(path, r => BytesAsync(r, status, [], null, [("Location", location)]));

    /// <summary>Writes raw bytes (no re-encoding) with an exact Content-Length, or chunked when <paramref name="chunked"/>.</summary>
    public static async Task BytesAsync(HttpListenerResponse response, int status, byte[] body, string? contentType, (string Name, string Value)[] headers, bool chunked = false)
    {
        response.StatusCode = status;
        foreach (var (name, value) in headers)
        {
            response.AddHeader(name, value);
        }

        if (contentType is not null)
        {
            response.ContentType = contentType;
        }

        if (chunked)
        {
            response.SendChunked = true;
        }
        else
        {
            response.ContentLength64 = body.Length;
        }

        await response.OutputStream.WriteAsync(body);
        response.Close();
    }

    /// <summary>Declares a body of <paramref name="declared"/> bytes, sends a little of it, and stops.</summary>
    public void DeclaredLength(string path, long declared) => Route(path, async r =>
    {
        r.StatusCode = 200;
        r.ContentType = "text/html";
        r.ContentLength64 = declared;
        await r.OutputStream.WriteAsync(Encoding.ASCII.GetBytes("<html><body>"));
        r.Abort();
    });

    /// <summary>Streams <paramref name="total"/> bytes of HTML in chunks with no Content-Length.</summary>
    public void Chunked(string path, int total) => Route(path, async r =>
    {
        r.StatusCode = 200;
        r.ContentType = "text/html";
        r.SendChunked = true;
        var chunk = Encoding.ASCII.GetBytes("<p>" + new string('x', 8185) + "</p>\n");
        try
        {
            for (var sent = 0; sent < total; sent += chunk.Length)
            {
                await r.OutputStream.WriteAsync(chunk);
            }

            r.Close();
        }
        catch (Exception ex) when (ex is HttpListenerException or IOException or ObjectDisposedException)
        {
            // The client stopped reading at its cap and went away.
        }
    });

    /// <summary>Sends the headers and the first part of a page, then nothing more (until the client leaves).</summary>
    public void StallAfterHeaders(string path) => Route(path, r => StreamAsync(r, ["<html><body><p>The start of a page that never "], StreamEnd.Hold));

    /// <summary>Accepts the request and never answers.</summary>
    public void Silent(string path) => Route(path, SilenceAsync);

    /// <summary>Sends a byte every 50 ms (so no single read waits long) until the client leaves, for at most a minute.</summary>
    public void Drip(string path) => Route(path, async r =>
    {
        r.StatusCode = 200;
        r.ContentType = "text/plain";
        r.SendChunked = true;
        try
        {
            for (var i = 0; i < 1200; i++)
            {
                await r.OutputStream.WriteAsync(" "u8.ToArray());
                await r.OutputStream.FlushAsync();
                await Task.Delay(50);
            }

            r.Close();
        }
        catch (Exception ex) when (ex is HttpListenerException or IOException or ObjectDisposedException)
        {
        }
    });

    protected override Task RouteAsync(RecordedRequest request, HttpListenerResponse response) =>
        _routes.TryGetValue(request.Path, out var handler)
            ? handler(response)
            : WriteAsync(response, 404, "<html><body><h1>Not found</h1></body></html>", "text/html");
}
