using System.Text.Json.Nodes;
using AgentHost.Workflows.Expressions;

namespace AgentHost.Workflows.Tests;

/// <summary>Conditions (<c>when</c>, <c>until</c>): grammar, value rules and column-exact errors.</summary>
public sealed class WorkflowConditionTests
{
    private static readonly JsonObject Scope = JsonNode.Parse("""
        {
          "inputs": { "task": "add a flag", "attempts": 3, "ratio": 0.5, "strict": true, "empty": "", "tags": ["a", "b"], "none": null, "opts": { "x": 1 } },
          "nodes": {
            "test": { "exit_code": 0, "passed": true, "output": "12 passed, 0 failed" },
            "build-step": { "exit_code": 2, "items": [ { "name": "one" }, 7 ] },
            "review": { "json": { "verdict": "approve", "scores": [1, 2.0, 3] } }
          },
          "loop": { "iteration": 2 },
          "run": { "id": "r-1" },
          "workflow": { "name": "demo" }
        }
        """)!.AsObject();

    [Theory]
    [InlineData("nodes.test.exit_code == 0", true)]
    [InlineData("nodes.test.exit_code != 0", false)]
    [InlineData("nodes.build-step.exit_code == 2", true)]
    [InlineData("inputs.attempts > 2", true)]
    [InlineData("inputs.attempts >= 3", true)]
    [InlineData("inputs.attempts < 3", false)]
    [InlineData("inputs.attempts <= 3.0", true)]
    [InlineData("inputs.ratio == 0.50", true)]
    [InlineData("inputs.ratio < 1e0", true)]
    [InlineData("-1 < inputs.ratio", true)]
    [InlineData("nodes.review.json.scores[1] == 2", true)]
    [InlineData("nodes.build-step.items[0].name == 'one'", true)]
    [InlineData("nodes.build-step.items[1] == 7", true)]
    [InlineData("nodes.build-step.items[5] == null", true)]
    [InlineData("nodes.review.json.verdict == \"approve\"", true)]
    [InlineData("'abc' < 'abd'", true)]
    [InlineData("'B' < 'a'", true)]
    [InlineData("inputs.task contains 'flag'", true)]
    [InlineData("inputs.task contains 'FLAG'", false)]
    [InlineData("inputs.tags contains 'b'", true)]
    [InlineData("inputs.tags contains 'c'", false)]
    [InlineData("nodes.review.json.scores contains 2", true)]
    [InlineData("inputs.opts contains 'x'", true)]
    [InlineData("nodes.test.output contains '0 failed' and nodes.test.passed", true)]
    [InlineData("nodes.test.passed and nodes.build-step.exit_code == 0", false)]
    [InlineData("nodes.test.passed or nodes.build-step.exit_code == 0", true)]
    [InlineData("not nodes.test.passed", false)]
    [InlineData("not not nodes.test.passed", true)]
    [InlineData("not (inputs.attempts > 5 or inputs.strict == false)", true)]
    [InlineData("(inputs.attempts > 5 or inputs.strict) and loop.iteration == 2", true)]
    [InlineData("inputs.attempts > 5 or inputs.strict and loop.iteration == 1", false)]
    [InlineData("true", true)]
    [InlineData("false or null", false)]
    [InlineData("run.id == 'r-1' and workflow.name == 'demo'", true)]
    [InlineData("'it\\'s' contains \"'\"", true)]
    public void Evaluate_FollowsTheGrammarAndValueRules(string text, bool expected) =>
        Assert.Equal(expected, WorkflowCondition.Parse(text).Evaluate(Scope));

    [Theory]
    [InlineData("nodes.test.passed", true)]
    [InlineData("inputs.task", true)]
    [InlineData("inputs.attempts", true)]
    [InlineData("inputs.tags", true)]
    [InlineData("inputs.opts", true)]
    [InlineData("nodes.test.exit_code", false)]
    [InlineData("inputs.empty", false)]
    [InlineData("inputs.none", false)]
    [InlineData("inputs.missing", false)]
    [InlineData("nodes.never.ran.at.all", false)]
    [InlineData("nodes.test.output[0]", false)]
    public void BarePath_IsTruthy_UnlessMissingNullFalseZeroOrEmpty(string text, bool expected) =>
        Assert.Equal(expected, WorkflowCondition.Parse(text).Evaluate(Scope));

    [Fact]
    public void EmptyArrayAndObject_AreFalse()
    {
        var scope = new JsonObject { ["inputs"] = new JsonObject { ["a"] = new JsonArray(), ["o"] = new JsonObject() } };
        Assert.False(WorkflowCondition.Parse("inputs.a").Evaluate(scope));
        Assert.False(WorkflowCondition.Parse("inputs.o").Evaluate(scope));
    }

    [Theory]
    [InlineData("inputs.task == 3")]
    [InlineData("inputs.attempts == '3'")]
    [InlineData("inputs.task > 3")]
    [InlineData("inputs.attempts contains 3")]
    [InlineData("nodes.missing.x > 0")]
    [InlineData("nodes.missing.x < 0")]
    [InlineData("null < 1")]
    public void MismatchedTypes_AreNeverEqualOrOrdered_AndNeverThrow(string text) =>
        Assert.False(WorkflowCondition.Parse(text).Evaluate(Scope));

    [Fact]
    public void MissingPaths_EqualNull()
    {
        Assert.True(WorkflowCondition.Parse("nodes.later.text == null").Evaluate(Scope));
        Assert.True(WorkflowCondition.Parse("inputs.none == null").Evaluate(Scope));
        Assert.True(WorkflowCondition.Parse("nodes.later.text != 'x'").Evaluate(Scope));
        Assert.True(WorkflowCondition.Parse("nodes.x == nodes.y").Evaluate(new JsonObject()));
    }

    [Fact]
    public void DeepEquality_ComparesArraysAndObjects()
    {
        var scope = JsonNode.Parse("""{ "a": [1, {"k": "v"}], "b": [1.0, {"k": "v"}], "c": [1, {"k": "w"}] }""")!.AsObject();
        Assert.True(WorkflowCondition.Parse("a == b").Evaluate(scope));
        Assert.False(WorkflowCondition.Parse("a == c").Evaluate(scope));
    }

    [Fact]
    public void ScopeValuesCreatedInCode_CompareLikeParsedOnes()
    {
        var scope = new JsonObject { ["nodes"] = new JsonObject { ["t"] = new JsonObject { ["exit_code"] = 0, ["n"] = 2.5m, ["s"] = "x", ["b"] = true } } };
        Assert.True(WorkflowCondition.Parse("nodes.t.exit_code == 0 and nodes.t.n > 2 and nodes.t.s == 'x' and nodes.t.b == true").Evaluate(scope));
        Assert.False(WorkflowCondition.Parse("nodes.t.exit_code").Evaluate(scope));
    }

    [Fact]
    public void Paths_ListsEveryPathRead_NotLiteralsOrKeywords()
    {
        var condition = WorkflowCondition.Parse("nodes.test.exit_code == 0 and not (inputs.tags[1] contains 'x' or loop.iteration > 2) or true");
        Assert.Equal(["nodes.test.exit_code", "inputs.tags[1]", "loop.iteration"], condition.Paths);
        Assert.Equal(["inputs", "tags"], condition.PathList[1].Names);
    }

    [Theory]
    [InlineData("", "column 1: expected a condition")]
    [InlineData("   ", "column 1: expected a condition")]
    [InlineData("nodes.test.exit_code ==", "column 24: expected a value after '=='")]
    [InlineData("nodes.test.exit_code = 0", "column 22: expected '==' to compare, found a single '='")]
    [InlineData("nodes.test.exit_code == 0 )", "column 27: expected an operator (== != < <= > >= contains and or) or the end, found ')'")]
    [InlineData("(a == 1", "column 8: expected ')' to close the '(' at column 1, found the end")]
    [InlineData("a == 'open", "column 6: expected the closing ' of the text that starts here, found the end")]
    [InlineData("a and", "column 6: expected a path such as")]
    [InlineData("a and or b", "column 7: expected a path such as nodes.test.exit_code, a quoted text, a number, true, false, null, 'not' or '(', found 'or'")]
    [InlineData("a. == 1", "column 3: expected a name after '.'")]
    [InlineData("a[x] == 1", "column 2: expected an index like [0]")]
    [InlineData("a == $b", "column 6: expected a value after '=='")]
    [InlineData("a b", "column 3: expected an operator")]
    [InlineData("a contains", "column 11: expected a value after 'contains'")]
    public void Parse_Fails_NamingTheColumnAndWhatWasExpected(string text, string message)
    {
        var error = Assert.Throws<FormatException>(() => WorkflowCondition.Parse(text));
        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }
}
