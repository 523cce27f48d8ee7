using AgentHost.Permissions;
using AgentHost.Permissions.Paths;

namespace AgentHost.Permissions.Tests;

/// <summary>
/// A path pattern answers a path that lacks the pattern's longest run of plain characters without its expression
/// (issue #25, sixth pass: a search asks every rule for every file). Its answer must stay the expression's for every
/// path: with and without case, classes read as classes and literally, <c>**</c>, <c>~</c> and absolute patterns, and
/// case tricks — .NET's case-insensitive expression equates the Kelvin sign with <c>k</c>, which ASCII folding does not,
/// so a path or a run that is not ASCII always goes to the expression.
/// </summary>
public sealed class PathPatternRequiredTextTests
{
    private const string Root = "/work/proj";
    private const string Home = "/home/kim";

    public static TheoryData<string, string?> Patterns => new()
    {
        // pattern, the run it requires
        { "**/*.secret", ".secret" },
        { ".env", ".env" },
        { ".env*", ".env" },
        { "keys/**", "keys/" },
        { "src", "src" },
        { "*.[pP][eE][mM]", "." },
        { "docs/[a].md", "docs/" },
        { "~/notes/**", "notes/" },
        { "/etc/ssh/**", "/etc/ssh/" },
        { "**", null },
        { "*", null },
        { "**/na\u00efve.txt", "na\u00efve.txt" },
        { "**/\u212Aeys/*", "\u212Aeys/" },
        { "config/*/x?.json", "config/" },
    };

    private static readonly string[] AllPaths =
    [
        "/work/proj/a/b/c.secret", "/work/proj/a/b/C.SECRET", "/work/proj/a/b/c.secretx", "/work/proj/a/b/c.txt",
        "/work/proj/.env", "/work/proj/x/.ENV.local", "/work/proj/keys/server.pem", "/work/proj/KEYS/a", "/work/proj/\u212Aeys/a",
        "/work/proj/\u212AEYS/server.pem", "/work/proj/src", "/work/proj/SRC/app.cs", "/work/proj/srcx/app.cs", "/work/proj/a.PeM",
        "/work/proj/docs/[a].md", "/work/proj/docs/a.md", "/work/proj/docs/[A].MD", "/home/kim/notes/todo.txt",
        "/home/KIM/NOTES/x", "/etc/ssh/sshd_config", "/ETC/SSH/x", "/work/proj/NA\u00cfVE.TXT", "/work/proj/naive.txt",
        "/work/proj/config/a/x1.json", "/work/proj/config/a/X1.JSON", "\\work\\proj\\keys\\x", "/work/proj/\u017Frc/a",
    ];

    public static IEnumerable<object[]> Paths => AllPaths.Select(path => new object[] { path });

    [Theory]
    [MemberData(nameof(Patterns))]
    public void RequiredText_IsTheLongestPlainRun(string pattern, string? required)
    {
        foreach (var ignoreCase in new[] { true, false })
        {
            var compiled = PathPattern.Compile(pattern, Root, Home, ignoreCase);
            var expected = required is null || (ignoreCase && !System.Text.Ascii.IsValid(required)) ? null : required;
            Assert.Equal(expected, compiled.RequiredText);
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void IsMatch_AnswersAsTheExpression(string path)
    {
        foreach (var pattern in Patterns.Select(row => (string)row[0]))
        {
            foreach (var (ignoreCase, classes, root) in new[] { (true, true, Root), (true, false, Root), (false, true, Root), (true, true, "/") })
            {
                var compiled = PathPattern.Compile(pattern, root, Home, ignoreCase, classes);
                var expected = compiled.Expression.IsMatch(path.Replace('\\', '/'));
                Assert.True(expected == compiled.IsMatch(path, onTimeout: true), $"{pattern} (ignore case {ignoreCase}, classes {classes}, root {root}) on {path}: expression {expected}");
            }
        }
    }

    [Fact]
    public void TheCaseTricks_StillMatch()
    {
        var keys = PathPattern.Compile("keys/**", Root, Home, ignoreCase: true);
        Assert.True(keys.IsMatch("/work/proj/\u212AEYS/server.pem")); // the Kelvin sign: not ASCII, so the expression decides
        Assert.True(keys.IsMatch("/work/proj/KEYS/server.pem"));
        Assert.False(PathPattern.Compile("keys/**", Root, Home, ignoreCase: false).IsMatch("/work/proj/KEYS/server.pem"));
    }
}
