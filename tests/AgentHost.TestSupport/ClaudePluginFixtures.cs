namespace AgentHost.Tests.Support;

/// <summary>The Claude Code plugin fixtures in <c>tests/fixtures/claude-plugins</c> (see its README).</summary>
public static class ClaudePluginFixtures
{
    /// <summary>The fixture folder <paramref name="name"/> in the repository (read it; copy it before changing anything).</summary>
    public static string Path(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var folder = System.IO.Path.Combine(dir.FullName, "tests", "fixtures", "claude-plugins", name);
            if (Directory.Exists(folder))
            {
                return folder;
            }
        }

        throw new DirectoryNotFoundException($"Claude Code plugin fixture '{name}' not found above {AppContext.BaseDirectory}");
    }

    /// <summary>Copies fixture <paramref name="name"/> into <paramref name="parent"/> (as a folder of the same name) and returns the copy.</summary>
    public static string CopyTo(string name, string parent)
    {
        var source = Path(name);
        var target = System.IO.Path.Combine(parent, name);
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var copy = System.IO.Path.Combine(target, System.IO.Path.GetRelativePath(source, file));
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(copy)!);
            File.Copy(file, copy);
        }

        return target;
    }
}
