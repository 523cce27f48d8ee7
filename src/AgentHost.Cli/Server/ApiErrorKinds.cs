using AgentHost.Hosting;

namespace AgentHost.Cli.Server;

/// <summary>
/// The <c>kind</c> of an API error (<see cref="ApiError"/>, <see cref="RunView.ErrorKind"/>) and back: used by the
/// server and by <c>agent run --server</c>, so it touches no ASP.NET type.
/// </summary>
internal static class ApiErrorKinds
{
    /// <summary>The name of a kind: <c>not_found</c>, <c>in_use</c>, else the kind in lower case.</summary>
    public static string NameOf(ErrorKind kind) => kind switch
    {
        ErrorKind.NotFound => "not_found",
        ErrorKind.InUse => "in_use",
        _ => kind.ToString().ToLowerInvariant(),
    };

    /// <summary>The kind <see cref="NameOf"/> named (<see cref="ErrorKind.Internal"/> for an unknown name).</summary>
    public static ErrorKind KindOf(string? name) =>
        Enum.GetValues<ErrorKind>().FirstOrDefault(k => NameOf(k) == name, ErrorKind.Internal);
}
