using System.Globalization;
using System.Text;
using AgentHost.Hosting;

namespace AgentHost.Sessions;

/// <summary>
/// Pages of a session list, most recently updated first, with a keyset cursor (the last session of a page: its change
/// time and id) that is opaque to clients: a session that changes between two pages is not listed twice, and no
/// offset shifts when sessions come or go. The server's <c>GET /v1/sessions</c> and <c>agent acp</c>'s
/// <c>session/list</c> page with it.
/// </summary>
public static class SessionPages
{
    /// <summary>One page of <paramref name="sessions"/> after <paramref name="cursor"/>.</summary>
    /// <param name="sessions">The sessions to page (already filtered; in any order).</param>
    /// <param name="cursor">The previous page's <c>NextCursor</c>, or <see langword="null"/> for the first page.</param>
    /// <param name="size">The page size (at least 1).</param>
    /// <returns>The page, most recently updated first, and the cursor of the next page (<see langword="null"/> on the last).</returns>
    /// <exception cref="AgentHostException">The cursor is not one a page gave (<see cref="ErrorKind.Usage"/>).</exception>
    public static (IReadOnlyList<SessionInfo> Page, string? NextCursor) Take(IEnumerable<SessionInfo> sessions, string? cursor, int size)
    {
        ArgumentNullException.ThrowIfNull(sessions);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        var after = cursor is null ? ((DateTimeOffset UpdatedAt, string Id)?)null : Parse(cursor);
        var page = sessions
            .OrderByDescending(s => s.UpdatedAt).ThenByDescending(s => s.Id, StringComparer.Ordinal)
            .Where(s => after is null || s.UpdatedAt < after.Value.UpdatedAt || (s.UpdatedAt == after.Value.UpdatedAt && string.CompareOrdinal(s.Id, after.Value.Id) < 0))
            .Take(size + 1)
            .ToList();
        return page.Count > size ? (page[..size], Format(page[size - 1])) : (page, null);
    }

    private static string Format(SessionInfo last) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{last.UpdatedAt.UtcTicks}:{last.Id}"))).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static (DateTimeOffset UpdatedAt, string Id) Parse(string cursor)
    {
        try
        {
            var padded = cursor.Replace('-', '+').Replace('_', '/');
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(padded.PadRight(padded.Length + ((4 - (padded.Length % 4)) % 4), '=')));
            var colon = text.IndexOf(':', StringComparison.Ordinal);
            return (new DateTimeOffset(long.Parse(text[..colon], CultureInfo.InvariantCulture), TimeSpan.Zero), text[(colon + 1)..]);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentOutOfRangeException or OverflowException)
        {
            throw new AgentHostException(ErrorKind.Usage, "cursor: not a cursor of this session list; pass nextCursor from the previous page as it is.");
        }
    }
}
