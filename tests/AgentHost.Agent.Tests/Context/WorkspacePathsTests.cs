using AgentHost.Sdk.Tools;
using AgentHost.Tests.Support;

namespace AgentHost.Agent.Tests.Context;

public sealed class WorkspacePathsTests
{
    [Fact]
    public void Resolve_AcceptsPathsInsideTheRoot_AndRejectsEscapes()
    {
        using var temp = new TempDirectory();
        temp.WriteFile("ws/src/a.txt", "a");
        temp.WriteFile("secret.txt", "s");
        var paths = new WorkspacePaths(temp.Combine("ws"));

        Assert.Equal(Path.Combine(paths.Root, "src", "a.txt"), paths.Resolve("src/a.txt"));
        Assert.Equal(paths.Root, paths.Resolve("."));
        Assert.NotNull(paths.Resolve("src/not-yet-created.txt"));
        Assert.Null(paths.Resolve("../secret.txt"));
        Assert.Null(paths.Resolve("src/../../secret.txt"));
        Assert.Null(paths.Resolve(temp.Combine("secret.txt")));
        Assert.Null(paths.Resolve(temp.Combine("ws-sibling", "x")));
    }

    [UnixFact("symbolic links, which need a privilege to create on Windows")]
    public void Resolve_FollowsSymlinks_InAnyComponent_IncludingDanglingOnes()
    {
        using var temp = new TempDirectory();
        temp.WriteFile("ws/inside.txt", "i");
        temp.WriteFile("outside/secret.txt", "s");
        Directory.CreateSymbolicLink(temp.Combine("ws", "escape"), temp.Combine("outside"));
        File.CreateSymbolicLink(temp.Combine("ws", "link-to-secret"), temp.Combine("outside", "secret.txt"));
        File.CreateSymbolicLink(temp.Combine("ws", "dangling"), temp.Combine("outside", "new-file.txt"));
        File.CreateSymbolicLink(temp.Combine("ws", "relative-inside"), "inside.txt");
        var paths = new WorkspacePaths(temp.Combine("ws"));

        Assert.Null(paths.Resolve("escape/secret.txt"));
        Assert.Null(paths.Resolve("link-to-secret"));
        Assert.Null(paths.Resolve("dangling"));
        Assert.Equal(Path.Combine(paths.Root, "inside.txt"), paths.Resolve("relative-inside"));
    }

    [UnixFact("symbolic links, which need a privilege to create on Windows")]
    public void Resolve_SymlinkCycle_IsAnIOError()
    {
        using var temp = new TempDirectory();
        Directory.CreateDirectory(temp.Combine("ws"));
        File.CreateSymbolicLink(temp.Combine("ws", "a"), temp.Combine("ws", "b"));
        File.CreateSymbolicLink(temp.Combine("ws", "b"), temp.Combine("ws", "a"));
        var paths = new WorkspacePaths(temp.Combine("ws"));

        Assert.Throws<IOException>(() => paths.Resolve("a"));
    }
}
