using AgentHost.Cli.Chat;
using AgentHost.Hosting;
using AgentHost.Hosting.Trust;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Chat;

/// <summary>User-defined chat commands: Markdown files in the user folder and, in a trusted project, in .agent/commands.</summary>
public sealed class UserCommandsTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    private AgentPaths Paths => new(_temp.Combine("config"), _temp.Combine("data"));

    private string Project => _temp.Combine("project");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void ArgumentsReplaceThePlaceholder_OrFollowTheText_AndTheFrontMatterGivesTheDescription()
    {
        var review = UserCommands.Parse("review", "---\ndescription: \"Review a file\"\n---\nReview $ARGUMENTS for bugs; then $ARGUMENTS again.\n", "review.md");
        var plain = UserCommands.Parse("plain", "# Explain the build\nExplain how the build works.\n", "plain.md");

        Assert.Equal("Review a file", review.Description);
        Assert.Equal("Review src/a.cs for bugs; then src/a.cs again.", review.Expand("src/a.cs"));
        Assert.Equal("Explain the build", plain.Description);
        Assert.Equal("# Explain the build\nExplain how the build works.\n\nbriefly", plain.Expand("briefly"));
        Assert.Equal("# Explain the build\nExplain how the build works.", plain.Expand(string.Empty));
    }

    [Fact]
    public void ProjectCommands_LoadOnlyWhenTheProjectIsTrusted_AndThenWinOverTheUsersOfTheSameName()
    {
        _temp.WriteFile(Path.Combine("config", "commands", "test.md"), "Run the user's tests.\n");
        _temp.WriteFile(Path.Combine("config", "commands", "mine.md"), "Only mine.\n");
        _temp.WriteFile(Path.Combine("project", ".agent", "commands", "test.md"), "Run the project's tests.\n");
        _temp.WriteFile(Path.Combine("project", ".agent", "commands", "deploy.md"), "Deploy everything.\n");

        var untrusted = UserCommands.Load(Paths, Project);
        ProjectTrust.Load(Paths).Trust(Project);
        var trusted = UserCommands.Load(Paths, Project);

        Assert.Equal(["mine", "test"], untrusted.Select(c => c.Name));
        Assert.Equal("Run the user's tests.", untrusted.Single(c => c.Name == "test").Body);
        Assert.Equal(["deploy", "mine", "test"], trusted.Select(c => c.Name));
        Assert.Equal("Run the project's tests.", trusted.Single(c => c.Name == "test").Body);
    }
}
