using AgentHost.Hosting;

namespace AgentHost.Server;

/// <summary>
/// The <c>kind</c> of an API error (<see cref="ApiError"/>, <see cref="RunView.ErrorKind"/>) and back: used by the
/// server and by <c>agent run --server</c>, so it touches no ASP.NET type.
/// </summary>
public static class ApiErrorKinds
{
    /// <summary>The name of a kind: <c>not_found</c>, <c>in_use</c>, else the kind in lower case.</summary>
    /// <param name="kind">The kind.</param>
    /// <returns>Its name on the wire.</returns>
    public static string NameOf(ErrorKind kind) => kind switch
    {
        ErrorKind.NotFound => "not_found",
        ErrorKind.InUse => "in_use",
        _ => kind.ToString().ToLowerInvariant(),
    };

    /// <summary>The kind <see cref="NameOf"/> named (<see cref="ErrorKind.Internal"/> for an unknown name).</summary>
    /// <param name="name">The name on the wire.</param>
    /// <returns>The kind.</returns>
    public static ErrorKind KindOf(string? name) =>
        Enum.GetValues<ErrorKind>().FirstOrDefault(k => NameOf(k) == name, ErrorKind.Internal);
}
