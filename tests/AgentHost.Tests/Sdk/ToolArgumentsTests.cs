using System.Text.Json;
using AgentHost.Sdk.Tools;
using Microsoft.Extensions.AI;

namespace AgentHost.Tests.Sdk;

/// <summary>The SDK's argument reader: JSON (as the host passes it) and CLR values (as tests pass them), and errors that name the argument.</summary>
public sealed class ToolArgumentsTests
{
    private enum Format
    {
        Text,
        MarkDown,
    }

    [Fact]
    public void JsonArguments_ReadAsTheirTypes()
    {
        var args = Json("""{"path":"a.txt","limit":20,"all":true,"paths":["x","y"],"format":"mark_down","none":null}""");

        Assert.Equal("a.txt", args.GetString("path"));
        Assert.Equal(20, args.GetInt32("limit"));
        Assert.True(args.GetBoolean("all"));
        Assert.Equal(["x", "y"], args.GetStringArray("paths"));
        Assert.Equal(Format.MarkDown, args.GetEnum<Format>("format"));
        Assert.Null(args.GetOptionalString("none"));
        Assert.Null(args.GetOptionalInt32("missing"));
        Assert.Null(args.GetOptionalBoolean("missing"));
        Assert.Null(args.GetOptionalStringArray("missing"));
        Assert.Null(args.GetOptionalEnum<Format>("missing"));
    }

    [Fact]
    public void ClrArguments_ReadAsTheirTypes()
    {
        var args = new AIFunctionArguments
        {
            ["path"] = "a.txt", ["limit"] = 20L, ["all"] = false, ["paths"] = new List<string> { "x" }, ["format"] = Format.Text,
        };

        Assert.Equal("a.txt", args.GetOptionalString("path"));
        Assert.Equal(20, args.GetOptionalInt32("limit"));
        Assert.False(args.GetOptionalBoolean("all"));
        Assert.Equal(["x"], args.GetOptionalStringArray("paths"));
        Assert.Equal(Format.Text, args.GetOptionalEnum<Format>("format"));
    }

    [Theory]
    [InlineData("string", "argument 'a' is required: a string.")]
    [InlineData("int", "argument 'a' is required: an integer.")]
    [InlineData("bool", "argument 'a' is required: true or false.")]
    [InlineData("array", "argument 'a' is required: an array of strings.")]
    [InlineData("enum", "argument 'a' is required: one of text, mark_down.")]
    public void MissingRequiredArguments_NameTheArgumentAndTheExpectedType(string type, string message)
    {
        var args = Json("""{"a":null}""");

        var error = Assert.Throws<ToolException>(() => Read(args, type));

        Assert.Equal(message, error.Message);
    }

    [Theory]
    [InlineData("string", """{"a":5}""", "argument 'a' must be a string, not the number 5.")]
    [InlineData("int", """{"a":"five"}""", "argument 'a' must be an integer, not the string \"five\".")]
    [InlineData("int", """{"a":2.5}""", "argument 'a' must be an integer, not the number 2.5.")]
    [InlineData("bool", """{"a":"yes"}""", "argument 'a' must be true or false, not the string \"yes\".")]
    [InlineData("array", """{"a":"x"}""", "argument 'a' must be an array of strings, not the string \"x\".")]
    [InlineData("array", """{"a":[1]}""", "argument 'a' must be an array of strings, not an array with non-string items.")]
    [InlineData("enum", """{"a":"html"}""", "argument 'a' must be one of text, mark_down, not the string \"html\".")]
    [InlineData("string", """{"a":{}}""", "argument 'a' must be a string, not an object.")]
    public void WrongTypedArguments_NameTheArgumentTheExpectedTypeAndWhatCame(string type, string json, string message)
    {
        var error = Assert.Throws<ToolException>(() => Read(Json(json), type));

        Assert.Equal(message, error.Message);
    }

    private static object? Read(AIFunctionArguments args, string type) => type switch
    {
        "string" => args.GetString("a"),
        "int" => args.GetInt32("a"),
        "bool" => args.GetBoolean("a"),
        "array" => args.GetStringArray("a"),
        _ => args.GetEnum<Format>("a"),
    };

    private static AIFunctionArguments Json(string json)
    {
        var args = new AIFunctionArguments();
        foreach (var property in JsonDocument.Parse(json).RootElement.EnumerateObject())
        {
            args[property.Name] = property.Value.Clone();
        }

        return args;
    }
}
