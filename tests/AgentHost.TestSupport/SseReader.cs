using System.Net.Http.Headers;
using System.Net.ServerSentEvents;

namespace AgentHost.Tests.Support;

/// <summary>
/// An open server-sent events stream, parsed by the framework's <see cref="SseParser"/> (comments such as heartbeats
/// are skipped by it). Every read is bounded by the token given at opening, so a stream that never delivers fails the
/// test instead of hanging it.
/// </summary>
public sealed class SseReader : IAsyncDisposable
{
    private readonly SseParser<string> _parser;
    private readonly IAsyncEnumerator<SseItem<string>> _items;

    private SseReader(HttpResponseMessage response, SseParser<string> parser, CancellationToken cancellationToken)
    {
        Response = response;
        _parser = parser;
        _items = parser.EnumerateAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
    }

    /// <summary>The response (status 200, headers).</summary>
    public HttpResponseMessage Response { get; }

    /// <summary>The last <c>id:</c> seen (what a client sends back as <c>Last-Event-ID</c>).</summary>
    public string LastEventId => _parser.LastEventId;

    /// <summary>The last <c>retry:</c> seen.</summary>
    public TimeSpan ReconnectionInterval => _parser.ReconnectionInterval;

    /// <summary>Opens <paramref name="path"/>; throws with the status and body when it is not a 200.</summary>
    public static async Task<SseReader> OpenAsync(HttpClient client, string path, string? lastEventId, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            response.Dispose();
            throw new HttpRequestException($"GET {path}: {(int)response.StatusCode} {body}");
        }

        var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        return new SseReader(response, SseParser.Create(stream), cancellationToken);
    }

    /// <summary>The next event, or <see langword="null"/> when the server ended the stream.</summary>
    public async Task<SseItem<string>?> NextAsync() => await _items.MoveNextAsync() ? _items.Current : null;

    /// <summary>The next <paramref name="count"/> events; throws if the stream ends first.</summary>
    public async Task<List<SseItem<string>>> TakeAsync(int count)
    {
        var items = new List<SseItem<string>>(count);
        while (items.Count < count)
        {
            items.Add(await NextAsync() ?? throw new InvalidOperationException($"the stream ended after {items.Count} of {count} events"));
        }

        return items;
    }

    public async ValueTask DisposeAsync()
    {
        await _items.DisposeAsync();
        Response.Dispose();
    }
}
