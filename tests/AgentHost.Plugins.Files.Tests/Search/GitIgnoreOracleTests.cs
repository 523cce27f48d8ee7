using AgentHost.Tests.Search;
using AgentHost.Tests.Support;

namespace AgentHost.Plugins.Files.Tests.Search;

/// <summary>
/// The ignore engine against git itself: for each case a real repository is built, <c>git ls-files --others
/// --exclude-standard</c> lists the files git does not ignore, and the glob tool (pattern <c>**</c>, hidden files
/// included) must list exactly those.
/// </summary>
public sealed class GitIgnoreOracleTests : IAsyncLifetime
{
    private SearchHarness _h = null!;

    /// <summary>Cases every file system can hold.</summary>
    public static TheoryData<string, string[], string[]> Cases => Select(c => !WindowsCannotHold(c) && !NeedsCaseSensitivity(c));

    /// <summary>Cases with file names Windows cannot hold (a trailing space, a '*').</summary>
    public static TheoryData<string, string[], string[]> CasesWithNamesWindowsCannotHold => Select(WindowsCannotHold);

    /// <summary>Cases that need a case-sensitive file system: git and the engine both ignore case where it does not.</summary>
    public static TheoryData<string, string[], string[]> CaseSensitiveCases => Select(NeedsCaseSensitivity);

    private static readonly TheoryData<string, string[], string[]> All = new()
    {
        { "name at any depth", [".gitignore=*.log"], ["a.log", "src/b.log", "src/c.txt", "log/x.txt"] },
        { "negation", [".gitignore=*.log\n!keep.log"], ["a.log", "keep.log", "src/keep.log", "src/other.log"] },
        { "leading slash anchors", [".gitignore=/build"], ["build/a.txt", "src/build/b.txt", "build.txt"] },
        { "middle slash anchors", [".gitignore=doc/*.txt"], ["doc/a.txt", "doc/sub/b.txt", "src/doc/c.txt", "doc/a.md"] },
        { "trailing slash: folders only", [".gitignore=cache/"], ["cache/a", "src/cache/b", "other/cache"] },
        { "leading **/", [".gitignore=**/foo"], ["foo", "a/foo", "a/b/foo/x", "foobar", "a/foobar"] },
        { "trailing /**", [".gitignore=abc/**"], ["abc/x", "abc/d/y", "xabc/z", "q/abc/w"] },
        { "middle /**/", [".gitignore=a/**/b"], ["a/b", "a/x/b", "a/x/y/b", "a/xb", "c/a/b"] },
        { "star stops at slash", [".gitignore=a/*/c"], ["a/b/c", "a/b/d/c", "a/c"] },
        { "double star inside a name is a star", [".gitignore=x**y"], ["xy", "xay", "x/y", "d/xzzy"] },
        { "question mark", [".gitignore=?.txt"], ["a.txt", "ab.txt", "d/x.txt"] },
        { "character classes", [".gitignore=[abc].md\n[!x]y.md\n[a-c]z.md\n[[:digit:]]n.md\n[]]r.md"], ["a.md", "d.md", "xy.md", "zy.md", "bz.md", "dz.md", "5n.md", "an.md", "]r.md"] },
        { "escapes", [".gitignore=\\#hash\n\\!bang\nstar\\*"], ["#hash", "!bang", "hash", "star*", "starx"] },
        { "comments and blank lines", [".gitignore=# comment\n\n   \nreal"], ["real", "comment", "other"] },
        { "trailing spaces", [".gitignore=trail   \nkeep\\ "], ["trail", "keep ", "keep"] },
        { "deeper file overrides", [".gitignore=*.gen", "sub/.gitignore=!keep.gen"], ["a.gen", "keep.gen", "sub/keep.gen", "sub/x.gen"] },
        { "anchored to its own folder", ["sub/.gitignore=/only\ndeep/*.c"], ["only", "sub/only", "sub/deep/only", "sub/deep/x.c", "deep/x.c"] },
        { "excluded folder cannot be re-included into", [".gitignore=dir/\n!dir/keep.txt"], ["dir/keep.txt", "dir/x", "y"] },
        { "folder contents re-included", [".gitignore=dir/*\n!dir/keep.txt"], ["dir/keep.txt", "dir/x", "dir/sub/y"] },
        { "info/exclude", [".git/info/exclude=*.secret"], ["a.secret", "b.txt", "d/c.secret"] },
        { "name matches folders too", [".gitignore=node_modules"], ["node_modules/x/y.js", "a/node_modules/z.js", "node_modules_extra/q"] },
        { "whitelist", [".gitignore=*\n!*/\n!*.txt"], ["a.txt", "a.md", "d/b.txt", "d/c.md"] },
        { "double star both sides", [".gitignore=**/logs/**/*.log"], ["logs/a.log", "x/logs/y/b.log", "x/logs/b.txt", "logsa/c.log"] },
        { "CRLF line ends", [".gitignore=*.tmp\r\n!k.tmp\r\n"], ["a.tmp", "k.tmp", "b.txt"] },
        { "case is significant", [".gitignore=*.TXT"], ["a.txt", "b.TXT"] },
        { "the ignore file ignores itself", [".gitignore=.gitignore\n*.o"], ["a.o", "a.c"] },
        { "last rule wins", [".gitignore=!*.txt\n*.txt"], ["a.txt", "b.md"] },
    };

    public async Task InitializeAsync() => _h = await SearchHarness.CreateAsync();

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Theory]
    [MemberData(nameof(Cases))]
    public Task Glob_ListsExactlyTheFilesGitDoesNotIgnore(string name, string[] ignoreFiles, string[] files) =>
        AssertGlobMatchesGitAsync(name, ignoreFiles, files);

    [UnixTheory("file names with a trailing space or a '*', which Windows cannot hold")]
    [MemberData(nameof(CasesWithNamesWindowsCannotHold))]
    public Task Glob_ListsExactlyTheFilesGitDoesNotIgnore_WithNamesWindowsCannotHold(string name, string[] ignoreFiles, string[] files) =>
        AssertGlobMatchesGitAsync(name, ignoreFiles, files);

    [LinuxTheory("a case-sensitive file system (git and the engine both ignore case where the file system does)")]
    [MemberData(nameof(CaseSensitiveCases))]
    public Task Glob_ListsExactlyTheFilesGitDoesNotIgnore_OnACaseSensitiveFileSystem(string name, string[] ignoreFiles, string[] files) =>
        AssertGlobMatchesGitAsync(name, ignoreFiles, files);

    private static bool WindowsCannotHold(object[] c) => ((string[])c[2]).Any(f => f.EndsWith(' ') || f.Contains('*', StringComparison.Ordinal));

    private static bool NeedsCaseSensitivity(object[] c) => (string)c[0] == "case is significant";

    private static TheoryData<string, string[], string[]> Select(Func<object[], bool> keep)
    {
        var selected = new TheoryData<string, string[], string[]>();
        foreach (var c in All.Where(keep))
        {
            selected.Add((string)c[0], (string[])c[1], (string[])c[2]);
        }

        return selected;
    }

    private async Task AssertGlobMatchesGitAsync(string name, string[] ignoreFiles, string[] files)
    {
        _h.Git(_h.Workspace, "init", "-q");
        foreach (var file in files)
        {
            _h.Write(file, $"content of {file}\n");
        }

        foreach (var spec in ignoreFiles)
        {
            var split = spec.IndexOf('=', StringComparison.Ordinal);
            _h.Write(spec[..split], spec[(split + 1)..]);
        }

        var expected = _h.Git(_h.Workspace, "ls-files", "-z", "--others", "--exclude-standard")
            .Split('\0', StringSplitOptions.RemoveEmptyEntries)
            .Order(StringComparer.Ordinal)
            .ToArray();
        var output = await _h.InvokeAsync("glob", ("pattern", "**"), ("hidden", true), ("limit", 1000));
        var actual = SearchHarness.Body(output);

        Assert.True(expected.Length < files.Length + ignoreFiles.Length, $"case '{name}' ignores nothing in git; it tests nothing");
        Assert.Equal(expected, actual);
    }
}
