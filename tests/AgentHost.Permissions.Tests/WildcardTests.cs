using AgentHost.Permissions;
using AgentHost.Permissions.Rules;
namespace AgentHost.Permissions.Tests;

/// <summary>The <c>*</c>-only matcher behind shell, tool-name and subject rules.</summary>
public sealed class WildcardTests
{
    [Theory]
    [InlineData("git status", "git status", false, true)]
    [InlineData("git status*", "git status --short", false, true)]
    [InlineData("git status*", "git stat", false, false)]
    [InlineData("*", "", false, true)]
    [InlineData("", "", false, true)]
    [InlineData("", "x", false, false)]
    [InlineData("a*b*c", "aXXbYYc", false, true)]
    [InlineData("a*b*c", "aXXbYY", false, false)]
    [InlineData("*.md", "docs/readme.md", false, true)]
    [InlineData("*.md", "docs/readme.mdx", false, false)]
    [InlineData("npm run *", "npm run test\nrm -rf /", false, true)] // '*' spans line breaks, like the old Singleline regex
    [InlineData("GIT *", "git push", true, true)]
    [InlineData("GIT *", "git push", false, false)]
    [InlineData("a**b", "ab", false, true)]
    [InlineData("*a", "aaaa", false, true)]
    [InlineData("a.c", "abc", false, false)] // no regular-expression meaning
    [InlineData("a?c", "abc", false, false)]
    public void IsMatch_FollowsTheStarOnlyRules(string pattern, string text, bool ignoreCase, bool expected) =>
        Assert.Equal(expected, Wildcard.IsMatch(pattern, text, ignoreCase));

    [Fact]
    public void IsMatch_ManyStarsAgainstALongNonMatchingLine_Finishes()
    {
        var text = new string('a', 200_000);

        Assert.False(Wildcard.IsMatch("*a*a*a*a*a*a*a*a*b", text, ignoreCase: false));
    }

    [Theory]
    [InlineData("  git   status\t -s  ", "git status -s")]
    [InlineData("one", "one")]
    [InlineData("", "")]
    public void CollapseBlanks_LeavesSingleSpaces(string text, string expected) =>
        Assert.Equal(expected, Wildcard.CollapseBlanks(text));
}
