using System.Globalization;
using AgentHost.Sdk.Tools;

namespace AgentHost.Plugins.Web;

/// <summary>Failures for unsuccessful HTTP statuses.</summary>
internal static class HttpErrors
{
    public static ToolException Status(WebResponse response)
    {
        var message = response.Message;
        var code = (int)message.StatusCode;
        var text = string.Create(CultureInfo.InvariantCulture, $"{response.Url} answered HTTP {code} {message.ReasonPhrase}").TrimEnd();
        var advice = code switch
        {
            >= 300 and < 400 => "a redirect without a usable Location header.",
            401 or 403 => "the site refuses access without a login; fetch cannot log in.",
            404 or 410 => "the page does not exist; check the URL.",
            429 => "too many requests; wait before trying again" + RetryAfter(message) + ".",
            >= 500 => "the server failed; try again later" + RetryAfter(message) + ".",
            _ => "the request was refused.",
        };
        return new ToolException($"{text}: {advice}");
    }

    private static string RetryAfter(HttpResponseMessage message) =>
        message.Headers.RetryAfter?.Delta is { } delta
            ? string.Create(CultureInfo.InvariantCulture, $" (the server asks for {delta.TotalSeconds:0} s)")
            : string.Empty;
}
