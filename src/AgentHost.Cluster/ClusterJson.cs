using System.Text.Json;
using System.Text.Json.Serialization;
using AgentHost.Server;

namespace AgentHost.Cluster;

/// <summary>The JSON of session calls between nodes, and of the roots a node publishes (source-generated).</summary>
[JsonSerializable(typeof(SessionCall))]
[JsonSerializable(typeof(SessionCallResult))]
[JsonSerializable(typeof(CreateSessionRequest))]
[JsonSerializable(typeof(IReadOnlyList<string>))]
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true)]
internal sealed partial class ClusterJson : JsonSerializerContext;
