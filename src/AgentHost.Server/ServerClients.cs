using AgentHost.Hosting;

namespace AgentHost.Server;

/// <summary>
/// Client ids: a program driving the server names itself (<c>X-Agent-Client: my-ide/1.2</c>, or <c>clientId</c> in a
/// create request's body), and the id is recorded on the sessions and runs it starts, for people reading them later.
/// It identifies, it does not authenticate: the token decides what a caller may do.
/// </summary>
internal static class ServerClients
{
    /// <summary>The request header that names the client.</summary>
    public const string Header = "X-Agent-Client";

    private const int MaxLength = 100;

    /// <summary>The client id of a request: <paramref name="field"/> (a body's <c>clientId</c>) over <paramref name="header"/>; <see langword="null"/> when neither is given.</summary>
    /// <exception cref="AgentHostException">An id that is empty, too long or has other characters than letters, digits and <c>._-:/@+</c> (<see cref="ErrorKind.Usage"/>), naming where it came from.</exception>
    public static string? Of(string? field, string? header) =>
        field is not null ? Check(field, "clientId") : header is not null ? Check(header, Header) : null;

    /// <summary>The client id the <c>X-Agent-Client</c> header of <paramref name="http"/> gives, checked.</summary>
    public static string? Of(Microsoft.AspNetCore.Http.HttpContext http) =>
        Of(null, http.Request.Headers.TryGetValue(Header, out var values) ? values.ToString() : null);

    private static string Check(string id, string source)
    {
        var text = id.Trim();
        return text.Length is > 0 and <= MaxLength && text.All(c => char.IsAsciiLetterOrDigit(c) || "._-:/@+".Contains(c, StringComparison.Ordinal))
            ? text
            : throw new AgentHostException(ErrorKind.Usage, $"{source}: not a client id; give 1 to {MaxLength} letters, digits or ._-:/@+ characters, e.g. my-ide/1.2.");
    }
}
