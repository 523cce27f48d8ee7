using System.Text.Json;
using System.Text.Json.Serialization;

namespace AgentHost.Cluster;

/// <summary>The JSON of the roots a node publishes (source-generated).</summary>
[JsonSerializable(typeof(IReadOnlyList<string>))]
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true)]
internal sealed partial class ClusterJson : JsonSerializerContext;
