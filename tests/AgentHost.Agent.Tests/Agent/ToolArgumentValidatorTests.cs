using System.Text.Json;
using AgentHost.Agent.Engine;
using Microsoft.Extensions.AI;

namespace AgentHost.Agent.Tests;

public sealed class ToolArgumentValidatorTests
{
    private enum Mode
    {
        Fast,
        Slow,
    }

    private static readonly JsonElement FactorySchema = AIFunctionFactory.Create(
        (string path, int count, double ratio, bool flag, int? maybe, Mode mode, string[] tags, long big = 5, string? note = null) => "ok",
        "sample").JsonSchema;

    private const string Valid = """{"path":"a","count":2,"ratio":0.5,"flag":true,"maybe":null,"mode":"Slow","tags":["x"]}""";

    [Fact]
    public void Accepts_ValidArguments_IncludingNullForNullableTypes() => Assert.Empty(Validate(FactorySchema, Valid));

    [Theory]
    [InlineData("""{"count":"2"}""", "'count' must be an integer, but got a string (\"2\")")]
    [InlineData("""{"count":2.0}""", "'count' must be an integer, but got a number (2.0)")]
    [InlineData("""{"ratio":"x"}""", "'ratio' must be a number, but got a string (\"x\")")]
    [InlineData("""{"maybe":"x"}""", "'maybe' must be an integer or null, but got a string (\"x\")")]
    [InlineData("""{"mode":"Medium"}""", "'mode' must be one of \"Fast\", \"Slow\", but got \"Medium\"")]
    [InlineData("""{"tags":["x",3]}""", "'tags[1]' must be a string, but got a number (3)")]
    [InlineData("""{"flag":"yes"}""", "'flag' must be a boolean, but got a string (\"yes\")")]
    [InlineData("""{"note":null,"big":1}""", null)]
    public void Reports_TypeProblems_ByPath(string change, string? expected)
    {
        var errors = Validate(FactorySchema, Merge(Valid, change));

        if (expected is null)
        {
            Assert.Empty(errors);
        }
        else
        {
            Assert.Equal([expected], errors);
        }
    }

    [Fact]
    public void AnArgumentTheToolDoesNotDeclare_IsAnError_NotDroppedSilently()
    {
        var errors = Validate(FactorySchema, Merge(Valid, """{"paht":"b"}"""));

        Assert.Equal(["'paht' is not a known argument (allowed: path, count, ratio, flag, maybe, mode, tags, big, note)"], errors);
    }

    [Theory]
    [InlineData("""{"type":"object","properties":{"a":{"type":"string"}},"additionalProperties":true}""")]
    [InlineData("""{"type":"object","properties":{"a":{"type":"string"}},"additionalProperties":{"type":"number"}}""")]
    [InlineData("""{"type":"object"}""")]
    public void ASchemaThatTakesOtherArguments_TakesThem(string schema) =>
        Assert.Empty(Validate(JsonDocument.Parse(schema).RootElement, """{"a":"x","b":1}"""));

    [Fact]
    public void NestedObjects_StayOpen_UnlessTheirSchemaClosesThem() =>
        Assert.Empty(Validate(JsonDocument.Parse("""{"type":"object","properties":{"o":{"type":"object","properties":{"x":{"type":"number"}}}}}""").RootElement, """{"o":{"x":1,"y":2}}"""));

    [Fact]
    public void Reports_EveryMissingRequiredArgument()
    {
        var errors = Validate(FactorySchema, """{"path":"a"}""");

        Assert.Contains("'count' is required but missing", errors);
        Assert.Contains("'tags' is required but missing", errors);
        Assert.DoesNotContain(errors, e => e.Contains("'big'", StringComparison.Ordinal));
    }

    [Fact]
    public void Enforces_AdditionalPropertiesBoundsAndCombinators()
    {
        var schema = Parse("""
            {"type":"object","additionalProperties":false,
             "properties":{
               "n":{"type":"integer","minimum":1,"maximum":10},
               "s":{"type":"string","minLength":2,"format":"uri"},
               "x":{"anyOf":[{"type":"string"},{"type":"array","items":{"type":"integer"},"maxItems":2}]},
               "o":{"type":"object","properties":{"k":{"type":"string"}},"required":["k"]}}}
            """);

        Assert.Empty(Validate(schema, """{"n":10,"s":"ab","x":[1,2],"o":{"k":"v"}}"""));
        Assert.Equal(
            [
                "'n' must be at most 10, but got 11",
                "'s' must have at least 2 characters, but has 1",
                "'x' matches none of the allowed forms (a string; an array), but got an array",
                "'o.k' is required but missing",
                "'extra' is not a known argument (allowed: n, s, x, o)",
            ],
            Validate(schema, """{"n":11,"s":"a","x":[1,2,3],"o":{},"extra":1}"""));
    }

    private static IReadOnlyList<string> Validate(JsonElement schema, string json) => ToolArgumentValidator.Validate(schema, Parse(json));

    private static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement.Clone();

    private static string Merge(string baseJson, string change)
    {
        var result = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(baseJson)!;
        foreach (var (key, value) in JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(change)!)
        {
            result[key] = value;
        }

        return JsonSerializer.Serialize(result);
    }
}
