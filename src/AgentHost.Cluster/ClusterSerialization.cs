using System.Text.Json;
using System.Text.Json.Serialization;
using AgentHost.Server;
using Orleans.Serialization;

namespace AgentHost.Cluster;

/// <summary>
/// How the session calls' arguments and answers cross nodes (<see cref="ISessionGrain"/>): the server's API records
/// (<see cref="CreateSessionRequest"/>, <see cref="SessionView"/>, <see cref="RunView"/>, the caller, …) as the API's own
/// JSON (System.Text.Json), and only they — a type outside the server's namespace (a type of the SDK, of the kernel or
/// of a plugin) gets no JSON codec, so it cannot cross by accident: Orleans refuses it. The cluster's own types
/// (<see cref="SessionCallFailedException"/>, <see cref="WorkspaceNotServedException"/>) have generated serializers.
/// </summary>
internal static class ClusterSerialization
{
    /// <summary>The namespace whose records cross as JSON (and those under it, e.g. the caller's).</summary>
    private static readonly string ServerNamespace = typeof(ApiServer).Namespace!;

    /// <summary>The API's JSON: camelCase, enums as camelCase strings.</summary>
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    /// <summary>Adds the JSON codec of the server's records to a silo's serializer.</summary>
    /// <param name="serializer">The serializer's builder.</param>
    public static void Configure(ISerializerBuilder serializer) => serializer.AddJsonSerializer(IsServerType, Json);

    /// <summary>Whether a type crosses as JSON: a type of the server's assembly, in the server's namespace.</summary>
    /// <param name="type">The type.</param>
    /// <returns>Whether it does.</returns>
    public static bool IsServerType(Type type) =>
        type.Assembly == typeof(ApiServer).Assembly
        && type.Namespace is { } name
        && (name == ServerNamespace || name.StartsWith(ServerNamespace + ".", StringComparison.Ordinal))
        && !typeof(Exception).IsAssignableFrom(type);
}
