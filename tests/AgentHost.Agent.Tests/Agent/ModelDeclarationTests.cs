using System.ComponentModel;
using System.Text.Json;
using AgentHost.Agent.Engine;
using Microsoft.Extensions.AI;

namespace AgentHost.Agent.Tests;

/// <summary>What the model is given of a tool: its schema without what only the validator needs, and a deferred tool's summary.</summary>
public sealed class ModelDeclarationTests
{
    [Fact]
    public void Compact_DropsNullDefaults_FalseBooleanDefaults_AndNullFromOptionalTypes_KeepingEverythingElse()
    {
        var schema = JsonDocument.Parse("""
            {"type":"object","properties":{
              "path":{"description":"Where.","type":"string"},
              "limit":{"description":"How many.","type":["integer","null"],"default":null},
              "hidden":{"type":"boolean","default":false},
              "deep":{"type":"boolean","default":true},
              "must":{"type":["string","null"]},
              "tags":{"type":["array","null"],"items":{"type":["string","null"]},"default":null},
              "edits":{"type":"array","items":{"type":"object","properties":{"a":{"type":["string","null"],"default":null},"b":{"type":"string"}},"required":["b"]}}
            },"required":["path","must"]}
            """).RootElement;

        var compact = ModelDeclaration.Compact(schema).GetRawText();

        Assert.Equal(
            """{"type":"object","properties":{"path":{"description":"Where.","type":"string"},"limit":{"description":"How many.","type":"integer"},"hidden":{"type":"boolean"},"deep":{"type":"boolean","default":true},"must":{"type":["string","null"]},"tags":{"type":"array","items":{"type":"string"}},"edits":{"type":"array","items":{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"string"}},"required":["b"]}}},"required":["path","must"]}""",
            compact);
    }

    [Fact]
    public void Of_KeepsTheFunctionsFullSchemaForValidation_AndGivesTheModelTheCompactOne()
    {
        var function = AIFunctionFactory.Create(([Description("Lines.")] int? limit = null, bool all = false) => "ok", "page", "Pages.");

        var declaration = ModelDeclaration.Of(function);

        Assert.Contains("null", function.JsonSchema.GetRawText(), StringComparison.Ordinal);
        Assert.DoesNotContain("null", declaration.JsonSchema.GetRawText(), StringComparison.Ordinal);
        Assert.DoesNotContain("default", declaration.JsonSchema.GetRawText(), StringComparison.Ordinal);
        Assert.Equal(("page", "Pages."), (declaration.Name, declaration.Description));
    }

    [Theory]
    [InlineData("Stages files for the next commit. Paths are taken literally.", "Stages files for the next commit.")]
    [InlineData("Lists jobs\nwith their ids.", "Lists jobs")]
    [InlineData("", "")]
    [InlineData("Restores named files: by default discards their unstaged working-tree changes (cannot be undone); staged=true unstages them.",
        "Restores named files: by default discards their unstaged working-tree changes (cannot be…")]
    public void Summary_IsTheFirstSentence_CutAtAWordWithin90Characters(string description, string summary) =>
        Assert.Equal(summary, ModelDeclaration.Summary(description));
}
