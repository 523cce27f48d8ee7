using System.Text.Json.Nodes;
using AgentHost.Tests.Support;
using AgentHost.Workflows.Expressions;

namespace AgentHost.Workflows.Tests;

/// <summary>Templates: insertion, the json filter, typed values and column-exact errors (no shell quoting: values never become shell source).</summary>
public sealed class WorkflowTemplateTests
{
    private static readonly JsonObject Scope = JsonNode.Parse("""
        {
          "inputs": { "task": "add a flag", "count": 3, "ratio": 1.5, "flag": false, "list": ["a", "b"], "obj": { "k": "v é <x>" }, "quote": "it's \"here\"", "none": null },
          "nodes": { "test": { "exit_code": 1, "output": "line1\nline2" }, "items": { "json": [ { "name": "one" } ] } },
          "loop": { "iteration": 2 }, "run": { "id": "r-1" }, "workflow": { "name": "demo" }
        }
        """)!.AsObject();

    [Theory]
    [InlineData("Implement: {{ inputs.task }}", "Implement: add a flag")]
    [InlineData("{{inputs.task}}!", "add a flag!")]
    [InlineData("n={{ inputs.count }} r={{ inputs.ratio }} f={{ inputs.flag }}", "n=3 r=1.5 f=false")]
    [InlineData("{{ inputs.list }}", "[\"a\",\"b\"]")]
    [InlineData("{{ inputs.obj }}", "{\"k\":\"v é <x>\"}")]
    [InlineData("[{{ nodes.later.text }}]", "[]")]
    [InlineData("[{{ inputs.none }}]", "[]")]
    [InlineData("{{ nodes.items.json[0].name }}", "one")]
    [InlineData("{{ inputs.list[1] }}{{ inputs.list[9] }}", "b")]
    [InlineData("iteration {{ loop.iteration }} of {{ workflow.name }} ({{ run.id }})", "iteration 2 of demo (r-1)")]
    [InlineData("{{ inputs.task | json }}", "\"add a flag\"")]
    [InlineData("{{ inputs.count | json }}", "3")]
    [InlineData("{{ nodes.later.text | json }}", "null")]
    [InlineData("no insertions { here }", "no insertions { here }")]
    [InlineData("", "")]
    public void Render_InsertsStringsAsIs_OtherValuesAsJson_MissingAsNothing(string template, string expected) =>
        Assert.Equal(expected, WorkflowTemplate.Parse(template).Render(Scope));

    [Fact]
    public void Render_KeepsMultilineText()
    {
        Assert.Equal("The tests failed:\nline1\nline2\nFix it.", WorkflowTemplate.Parse("The tests failed:\n{{ nodes.test.output }}\nFix it.").Render(Scope));
    }

    [Fact]
    public void RenderValue_KeepsTheTypeOfASingleInsertion()
    {
        Assert.Equal(3, WorkflowTemplate.RenderValue("{{ inputs.count }}", Scope)!.GetValue<int>());
        Assert.Equal(" [\"a\",\"b\"]", WorkflowTemplate.RenderValue(" {{ inputs.list }}", Scope)!.GetValue<string>());
        Assert.IsType<JsonArray>(WorkflowTemplate.RenderValue("{{ inputs.list }}", Scope));
        Assert.IsType<JsonObject>(WorkflowTemplate.RenderValue("{{inputs.obj}}", Scope));
        Assert.False(WorkflowTemplate.RenderValue("{{ inputs.flag }}", Scope)!.GetValue<bool>());
        Assert.Null(WorkflowTemplate.RenderValue("{{ nodes.later.json }}", Scope));
        Assert.Equal("n=3", WorkflowTemplate.RenderValue("n={{ inputs.count }}", Scope)!.GetValue<string>());
        Assert.Equal("3", WorkflowTemplate.RenderValue("{{ inputs.count | json }}", Scope)!.GetValue<string>());
        Assert.Equal("plain", WorkflowTemplate.RenderValue("plain", Scope)!.GetValue<string>());
    }

    [Fact]
    public void RenderValue_ReturnsACopy_ThatDoesNotChangeTheScope()
    {
        var value = WorkflowTemplate.RenderValue("{{ inputs.list }}", Scope)!.AsArray();
        value.Add("c");
        Assert.Equal(2, Scope["inputs"]!["list"]!.AsArray().Count);
    }

    [Fact]
    public void Paths_ListsEveryInsertion()
    {
        var template = WorkflowTemplate.Parse("{{ inputs.task }} then {{ nodes.test.output | json }} at {{ loop.iteration }} {{ nodes.items.json[0].name }}");
        Assert.Equal(["inputs.task", "nodes.test.output", "loop.iteration", "nodes.items.json[0].name"], template.Paths);
        Assert.Empty(WorkflowTemplate.Parse("plain text").Paths);
    }

    [Theory]
    [InlineData("Implement {{ inputs.task", "column 11: expected '}}' to close the '{{' here")]
    [InlineData("a {{ }} b", "column 3: expected a path such as inputs.task inside '{{ }}', found nothing")]
    [InlineData("{{ inputs.task | upper }}", "column 18: unknown filter 'upper'; the only filter is json")]
    [InlineData("{{ inputs.task | raw }}", "column 18: the filter 'raw' is gone: a value never becomes shell source")]
    [InlineData("{{ inputs.task | }}", "column 16: expected a filter name after '|' (json)")]
    [InlineData("{{ 'text' }}", "column 4: expected a path such as inputs.task or nodes.build.text, found ''text''")]
    [InlineData("{{ inputs.task other }}", "column 16: expected '}}' or the filter '| json' after the path inputs.task, found 'other'")]
    [InlineData("x {{ inputs. }}", "column 13: expected a name after '.'")]
    public void Parse_Fails_NamingTheColumnAndTheFix(string template, string message)
    {
        var error = Assert.Throws<FormatException>(() => WorkflowTemplate.Parse(template));
        Assert.Equal(message, error.Message[..Math.Min(error.Message.Length, message.Length)]);
    }
}
