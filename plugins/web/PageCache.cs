namespace AgentHost.Plugins.Web;

/// <summary>
/// The converted text of recently fetched long pages, so that reading on with <c>offset</c> does not download the page
/// again. Small (16 pages), short-lived (10 minutes) and thread-safe.
/// </summary>
internal sealed class PageCache(TimeProvider time)
{
    private const int Capacity = 16;
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    private readonly Lock _lock = new();
    private readonly LinkedList<(string Key, FetchedPage Page, DateTimeOffset Stored)> _entries = new();

    public FetchedPage? Get(string url, string format)
    {
        var key = Key(url, format);
        lock (_lock)
        {
            for (var node = _entries.First; node is not null; node = node.Next)
            {
                if (node.Value.Key != key)
                {
                    continue;
                }

                if (time.GetUtcNow() - node.Value.Stored > Lifetime)
                {
                    _entries.Remove(node);
                    return null;
                }

                return node.Value.Page;
            }
        }

        return null;
    }

    public void Put(string url, string format, FetchedPage page)
    {
        var key = Key(url, format);
        lock (_lock)
        {
            for (var node = _entries.First; node is not null; node = node.Next)
            {
                if (node.Value.Key == key)
                {
                    _entries.Remove(node);
                    break;
                }
            }

            _entries.AddFirst((key, page, time.GetUtcNow()));
            while (_entries.Count > Capacity)
            {
                _entries.RemoveLast();
            }
        }
    }

    private static string Key(string url, string format) => format + " " + url;
}

/// <summary>A fetched page converted to the requested format.</summary>
/// <param name="Header">The lines shown above every page of it (source URL, redirects, content type).</param>
/// <param name="Body">The converted text.</param>
internal sealed record FetchedPage(string Header, string Body);
