using AgentHost.Cli.Chat;
using AgentHost.Cli.Commands;
using AgentHost.Hosting;
using AgentHost.Hosting.Trust;
using AgentHost.Tests.Configuration;
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
    public void ProjectCommands_LoadOnlyWhenTheProjectIsTrusted_ByTheTrustFileOrTheUsersTrustedProjects_AndThenWinOverTheUsersOfTheSameName()
    {
        using var project = new ConfigProject();
        var paths = AgentPaths.Resolve(project.Environment());
        project.Temp.WriteFile(Path.Combine(paths.ConfigDirectory, "commands", "test.md"), "Run the user's tests.\n");
        project.Temp.WriteFile(Path.Combine(paths.ConfigDirectory, "commands", "mine.md"), "Only mine.\n");
        project.Temp.WriteFile(Path.Combine(project.Repo, ".agent", "commands", "test.md"), "Run the project's tests.\n");
        project.Temp.WriteFile(Path.Combine(project.Repo, ".agent", "commands", "deploy.md"), "Deploy everything.\n");

        var untrusted = UserCommands.Load(paths, project.Resolve());
        // A project file cannot trust itself; the user's own configuration can (permissions.trusted_projects), as 'agent trust' can.
        project.WriteProject($"permissions:\n  trusted_projects: [{project.Repo}]\n");
        var selfTrusted = UserCommands.Load(paths, project.Resolve());
        project.WriteGlobal($"permissions:\n  trusted_projects: [{project.Repo}]\n");
        var byConfiguration = UserCommands.Load(paths, project.Resolve());
        project.WriteGlobal("{}\n");
        project.TrustRepo();
        var byTrustFile = UserCommands.Load(paths, project.Resolve());

        Assert.Equal(["mine", "test"], untrusted.Select(c => c.Name));
        Assert.Equal("Run the user's tests.", untrusted.Single(c => c.Name == "test").Body);
        Assert.Equal(["mine", "test"], selfTrusted.Select(c => c.Name));
        Assert.Equal(["deploy", "mine", "test"], byConfiguration.Select(c => c.Name));
        Assert.Equal(["deploy", "mine", "test"], byTrustFile.Select(c => c.Name));
        Assert.Equal("Run the project's tests.", byTrustFile.Single(c => c.Name == "test").Body);
    }

    [Fact]
    public void PositionalArguments_AreReplacedByWords_QuotesGroupingWords_AndTheHintComesFromFrontMatter()
    {
        var review = UserCommands.Parse("review", "---\ndescription: Review\nargument-hint: <file> [focus]\n---\nReview $1 for $2 (all: $ARGUMENTS; none: '$3').\n", "review.md");

        Assert.Equal("<file> [focus]", review.ArgumentHint);
        Assert.Equal("/review <file> [focus]", review.Usage);
        Assert.Equal("Review src/a.cs for error handling (all: src/a.cs \"error handling\"; none: '').", review.Expand("src/a.cs \"error handling\""));
        Assert.Equal(["a", "b c", "d"], UserCommand.Words("  a 'b c'   d "));
        Assert.Equal("Cost $10 and one", UserCommands.Parse("x", "Cost $10 and $1", "x.md").Expand("one"));
    }

    [Fact]
    public void PluginCommands_AreQualifiedByThePlugin_AndPlainWhenOnlyOnePluginHasTheName()
    {
        var one = PluginWithCommands("one", ("review", "Review $ARGUMENTS."), ("shared", "One's."));
        var two = PluginWithCommands("two", ("shared", "Two's."));

        var commands = UserCommands.FromPlugins([two, one]);

        Assert.Equal(["one:review", "review", "one:shared", "two:shared"], commands.Select(c => c.Name));
        Assert.All(commands, c => Assert.NotNull(c.PluginId));
        Assert.Equal("Review $ARGUMENTS. (plugin one)", commands[0].Description);
        Assert.Equal("Review x.", UserCommands.TryExpand("/one:review x", commands));
        Assert.Equal("Review y.", UserCommands.TryExpand("/review y", commands));
        Assert.Equal("Two's.", UserCommands.TryExpand("/two:shared", commands));
        Assert.Null(UserCommands.TryExpand("/shared", commands));
        Assert.Null(UserCommands.TryExpand("review y", commands));
        Assert.Null(UserCommands.TryExpand("/usr/bin/env is missing", commands));
    }

    private AgentHost.Hosting.Plugins.Manifests.PluginManifest PluginWithCommands(string id, params (string Name, string Body)[] commands)
    {
        var root = _temp.Combine("plugins", id);
        foreach (var (name, body) in commands)
        {
            _temp.WriteFile(Path.Combine("plugins", id, "commands", name + ".md"), body);
        }

        _temp.WriteFile(Path.Combine("plugins", id, ".claude-plugin", "plugin.json"), $"{{ \"name\": \"{id}\" }}");
        return AgentHost.Hosting.Plugins.Manifests.ManifestReader.ReadFromDirectory(root);
    }
}
