using AgentHost.Cli;

namespace AgentHost.Tests.Cli;

/// <summary>How a <c>--plugin</c> name becomes a folder or stays an id (<see cref="PluginChoice.NameOf"/>).</summary>
public sealed class PluginChoiceTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("plugin-choice-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Folder(string name, params string[] files)
    {
        var folder = Path.Combine(_root, name);
        foreach (var file in files)
        {
            var path = Path.Combine(folder, file);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, file.EndsWith(".json", StringComparison.Ordinal) ? $$"""{ "name": "{{name}}" }""" : "x");
        }

        Directory.CreateDirectory(folder);
        return folder;
    }

    [Fact]
    public void BareWord_FolderInClaudeDefaultLayoutOnly_StaysAnId()
    {
        // A cloned repository with git/skills/ and git/hooks/hooks.json must not make '--plugin git' load its folder.
        Folder("git", "skills/x/SKILL.md", "hooks/hooks.json", "commands/c.md");

        Assert.Equal("git", PluginChoice.NameOf("git", _root));
    }

    [Fact]
    public void WrittenAsAPath_FolderInClaudeDefaultLayout_IsTheFolder()
    {
        var folder = Folder("notes", "commands/todo.md");

        Assert.Equal(folder, PluginChoice.NameOf("./notes", _root));
        Assert.Equal(folder, PluginChoice.NameOf(folder, "/"));
    }

    [Theory]
    [InlineData("plugin.yaml")]
    [InlineData(".claude-plugin/plugin.json")]
    public void BareWord_FolderWithAManifestFile_StaysAnId_AsAPathItIsTheFolder(string manifest)
    {
        // A repository's git/plugin.yaml must not replace the bundled git pack either: a folder is written as a path.
        var folder = Folder("git", manifest);

        Assert.Equal("git", PluginChoice.NameOf("git", _root));
        Assert.Equal(folder, PluginChoice.NameOf("./git", _root));
    }

    [Fact]
    public void NoSuchFolder_StaysAnId() => Assert.Equal("web", PluginChoice.NameOf("web", _root));
}
