using AgentHost.Hosting.Text;
namespace AgentHost.Hosting.Tests.Installation;

public sealed class CloseMatchesTests
{
    [Theory]
    [InlineData("", "", 0)]
    [InlineData("kitten", "sitting", 3)]
    [InlineData("terraform", "terraform-ls", 3)]
    [InlineData("abc", "", 3)]
    [InlineData("flaw", "lawn", 2)]
    public void Levenshtein_CountsEdits(string a, string b, int expected) =>
        Assert.Equal(expected, CloseMatches.Levenshtein(a, b));

    [Fact]
    public void Find_ReturnsNearAndContainingNames_ClosestFirst()
    {
        var matches = CloseMatches.Find("yaml", ["yaml-language-server", "yml", "json", "toml", "markdown", "yaml"]);

        Assert.Equal(["yml", "toml", "yaml-language-server"], matches);
    }

    [Fact]
    public void Hint_IsEmpty_WithoutMatches() =>
        Assert.Equal(string.Empty, CloseMatches.Hint(CloseMatches.Find("zzzzzzzz", ["alpha", "beta"])));
}
