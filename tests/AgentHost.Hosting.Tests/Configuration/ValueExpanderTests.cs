using AgentHost.Hosting.Configuration;
namespace AgentHost.Hosting.Tests.Configuration;

public sealed class ValueExpanderTests
{
    private static readonly Dictionary<string, string> Variables = new()
    {
        ["NAME"] = "ada",
        ["EMPTY"] = string.Empty,
        ["PORT"] = "8080",
    };

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("$NAME", "ada")]
    [InlineData("${NAME}", "ada")]
    [InlineData("x-$NAME-y", "x-ada-y")]
    [InlineData("${NAME}_suffix", "ada_suffix")]
    [InlineData("${MISSING:-fallback}", "fallback")]
    [InlineData("${EMPTY:-fallback}", "fallback")]
    [InlineData("${NAME:-fallback}", "ada")]
    [InlineData("${MISSING:-http://${NAME}:${PORT}}", "http://ada:8080")]
    [InlineData("${MISSING:-}", "")]
    [InlineData("$$NAME", "$NAME")]
    [InlineData("$${NAME}", "${NAME}")]
    [InlineData("cost: 5$", "cost: 5$")]
    [InlineData("$5 and $-", "$5 and $-")]
    public void Expand_SubstitutesVariablesDefaultsAndEscapes(string input, string expected)
    {
        var expansion = ValueExpander.Expand(input, Variables);

        Assert.Equal(expected, expansion.Value);
        Assert.Empty(expansion.UnsetVariables);
        Assert.Null(expansion.Error);
    }

    [Fact]
    public void Expand_UnsetVariableWithoutDefault_ExpandsToEmpty_AndIsReported()
    {
        var expansion = ValueExpander.Expand("a${MISSING}b$EMPTY", Variables);

        Assert.Equal("ab", expansion.Value);
        Assert.Equal(["MISSING", "EMPTY"], expansion.UnsetVariables);
    }

    [Theory]
    [InlineData("${NAME")]
    [InlineData("${}")]
    [InlineData("${NAME:default}")]
    public void Expand_MalformedReference_IsAnError(string input)
    {
        Assert.NotNull(ValueExpander.Expand(input, Variables).Error);
    }
}
