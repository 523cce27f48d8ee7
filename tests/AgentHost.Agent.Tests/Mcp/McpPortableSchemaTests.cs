using System.Text.Json;
using AgentHost.Agent.Mcp;

namespace AgentHost.Agent.Tests.Mcp;

/// <summary>What <c>agent mcp serve</c> does to a tool's input schema before listing it.</summary>
public sealed class McpPortableSchemaTests
{
    [Fact]
    public void OptionalNullableProperties_LoseTheirNullBranch_RequiredOnesKeepIt_NestedObjectsToo()
    {
        var schema = Parse("""
            {
              "type": "object",
              "properties": {
                "path": { "type": "string" },
                "depth": { "type": ["integer", "null"], "default": null },
                "mode": { "anyOf": [{ "type": "string", "enum": ["a", "b"] }, { "type": "null" }] },
                "must": { "type": ["string", "null"] },
                "options": {
                  "type": "object",
                  "properties": { "limit": { "type": ["number", "null"] } }
                }
              },
              "required": ["path", "must"]
            }
            """);

        var portable = McpPortableSchema.Of(schema);

        var properties = portable.GetProperty("properties");
        Assert.Equal("integer", properties.GetProperty("depth").GetProperty("type").GetString());
        Assert.False(properties.GetProperty("depth").TryGetProperty("default", out _));
        Assert.Equal("string", properties.GetProperty("mode").GetProperty("type").GetString());
        Assert.Equal(2, properties.GetProperty("mode").GetProperty("enum").GetArrayLength());
        Assert.False(properties.GetProperty("mode").TryGetProperty("anyOf", out _));
        Assert.Equal(JsonValueKind.Array, properties.GetProperty("must").GetProperty("type").ValueKind);
        Assert.Equal("number", properties.GetProperty("options").GetProperty("properties").GetProperty("limit").GetProperty("type").GetString());
    }

    [Fact]
    public void ASchemaWithoutNullBranches_IsReturnedAsItIs()
    {
        var schema = Parse("""{ "type": "object", "properties": { "path": { "type": "string" } } }""");

        Assert.Equal(schema.GetRawText(), McpPortableSchema.Of(schema).GetRawText());
    }

    private static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
