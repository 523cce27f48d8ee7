using AgentHost.Permissions;
using AgentHost.Permissions.Paths;
using AgentHost.Tests.Support;

namespace AgentHost.Permissions.Tests;

/// <summary>The path sandbox's parts on their own: link following, glob expansion and write protection.</summary>
public sealed class PathSandboxPartsTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    [SymlinkFact]
    public void SymbolicLinks_DotDotAfterALink_IsReadBothWays()
    {
        var target = Directory.CreateDirectory(_temp.Combine("real", "inner")).FullName;
        Directory.CreateDirectory(_temp.Combine("repo"));
        Directory.CreateSymbolicLink(_temp.Combine("repo", "link"), target);
        var path = _temp.Combine("repo", "link", "..", "x");

        var lexical = SymbolicLinks.Resolve(Path.GetFullPath(path), lexicalLinks: true);
        var kernel = SymbolicLinks.Resolve(path, lexicalLinks: false);

        Assert.Equal(Path.Combine(SymbolicLinks.Resolve(_temp.Combine("repo"), lexicalLinks: true), "x"), lexical);
        Assert.Equal(Path.Combine(SymbolicLinks.Resolve(_temp.Combine("real"), lexicalLinks: true), "x"), kernel);
    }

    [SymlinkFact]
    public void SymbolicLinks_ALoop_IsAnIOException_AndResolveOrSelfKeepsThePath()
    {
        Directory.CreateSymbolicLink(_temp.Combine("a"), _temp.Combine("b"));
        Directory.CreateSymbolicLink(_temp.Combine("b"), _temp.Combine("a"));
        var path = _temp.Combine("a", "x");

        Assert.Throws<IOException>(() => SymbolicLinks.Resolve(path, lexicalLinks: true));
        Assert.Equal(path, SymbolicLinks.ResolveOrSelf(path));
    }

    [Fact]
    public void ShellGlob_MatchesNamesInEachFolder_AndCapsTheMatches()
    {
        _temp.WriteFile("logs/a.log", "a");
        _temp.WriteFile("logs/.hidden.log", "h");
        _temp.WriteFile("logs/b.txt", "b");
        for (var i = 0; i < 70; i++)
        {
            _temp.WriteFile($"many/f{i}.txt", "x");
        }

        var logs = ShellGlob.Expand("logs/*.log", _temp.Path);
        var many = ShellGlob.Expand("many/*", _temp.Path);

        Assert.Equal([_temp.Combine("logs", ".hidden.log"), _temp.Combine("logs", "a.log")], logs.Order(StringComparer.Ordinal));
        Assert.Equal(64, many.Count);
    }

    [Fact]
    public void WriteProtection_NamesTheProtectedPlace()
    {
        var root = Directory.CreateDirectory(_temp.Combine("repo")).FullName;
        var home = Directory.CreateDirectory(_temp.Combine("home")).FullName;
        var protection = new WriteProtection(root, home, ProtectedPaths.Default(home), hooksPath: null, path => path);

        Assert.Equal("agent configuration (.agent/)", protection.Of(Write(Path.Combine(root, ".agent", "config.yaml")))?.Reason);
        Assert.Equal("skills (a project skill folder)", protection.Of(Write(Path.Combine(root, "x", ".claude", "skills", "s.md")))?.Reason);
        Assert.Equal("git hooks (.husky/)", protection.Of(Write(Path.Combine(root, ".husky", "pre-commit")))?.Reason);
        Assert.Null(protection.Of(Write(Path.Combine(root, "src", "app.cs"))));
        Assert.Null(protection.Of(new Target(TargetKind.Read, ".agent/config.yaml") { RealPaths = [Path.Combine(root, ".agent", "config.yaml")] }));
    }

    public void Dispose() => _temp.Dispose();

    private static Target Write(string fullPath) =>
        new(TargetKind.Write, fullPath) { FullPath = fullPath, RealPaths = [fullPath], LexicalPaths = [fullPath] };
}
