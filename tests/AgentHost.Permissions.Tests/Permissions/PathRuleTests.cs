using AgentHost.Permissions;
using AgentHost.Permissions.Rules;
using AgentHost.Tests.Permissions;
using static AgentHost.Tests.Permissions.PermissionFixture;

namespace AgentHost.Permissions.Tests;

public sealed class PathRuleTests
{
    public static TheoryData<string, Verdict> WriteCases => new()
    {
        { "src/a.cs", Verdict.Allow },
        { "src/deep/er/a.cs", Verdict.Allow },
        { "./src/a.cs", Verdict.Allow },
        { "src/../src/a.cs", Verdict.Allow },
        { "src/../README.md", Verdict.Ask },
        { "src/../../outside.txt", Verdict.Ask },
        { "../repo/src/a.cs", Verdict.Allow },
        { "/etc/passwd", Verdict.Ask },
        { "~/notes.txt", Verdict.Ask },
        { "srcx/a.cs", Verdict.Ask },
        { "SRC/a.cs", Verdict.Ask },
        { "src/app.secret", Verdict.Deny },
        { "src/APP.SECRET", Verdict.Deny },
        { "src/.git/config", Verdict.Deny },
        { ".git/hooks/pre-commit", Verdict.Deny },
        { "src/.GIT/x", Verdict.Deny },
    };

    [Theory]
    [MemberData(nameof(WriteCases))]
    public void WriteRules_MatchNormalisedPaths(string path, Verdict expected)
    {
        using var fixture = new PermissionFixture();
        var engine = fixture.Engine(allow: ["write(src/**)"], deny: ["write(*.secret)"]);

        var decision = Write(engine, path);

        Assert.True(expected == decision.Verdict, $"{path}: expected {expected}, got {decision.Verdict} ({decision.Reason})");
    }

    [Fact]
    public void SymlinkOutOfTheRoot_IsOutsideTheSandbox_EvenWhenItsNameMatchesAnAllowRule()
    {
        using var fixture = new PermissionFixture();
        var outside = fixture.Temp.Combine("elsewhere");
        Directory.CreateDirectory(outside);
        File.CreateSymbolicLink(Path.Combine(fixture.Root, "src", "link"), outside);
        var engine = fixture.Engine(allow: ["write(src/**)", "read(src/**)"]);

        var write = Write(engine, "src/link/passwd");
        var read = Read(engine, "src/link/passwd", PermissionMode.DontAsk);

        Assert.Equal(Verdict.Ask, write.Verdict);
        Assert.True(write.OutsideSandbox);
        Assert.Equal(DecisionBasis.Sandbox, write.Basis);
        Assert.Equal(Verdict.Deny, read.Verdict);
        Assert.Contains("outside the sandbox", read.Reason, StringComparison.Ordinal);
        Assert.Equal(Verdict.Deny, Write(engine, "src/link/passwd", PermissionMode.Plan).Verdict);
    }

    [Fact]
    public void SymlinkIntoADeniedFolder_IsDenied_ByEitherName()
    {
        using var fixture = new PermissionFixture();
        Directory.CreateDirectory(Path.Combine(fixture.Root, "secrets"));
        File.CreateSymbolicLink(Path.Combine(fixture.Root, "src", "innocent"), Path.Combine(fixture.Root, "secrets"));
        File.CreateSymbolicLink(Path.Combine(fixture.Root, "secrets-link"), Path.Combine(fixture.Root, "src"));
        var engine = fixture.Engine(deny: ["read(secrets/**)"]);

        Assert.Equal(Verdict.Deny, Read(engine, "src/innocent/key.pem").Verdict);
        Assert.Equal(Verdict.Allow, Read(engine, "src/a.cs").Verdict);
        Assert.Equal(Verdict.Deny, Read(engine, "SECRETS/key.pem").Verdict);
    }

    [Fact]
    public void HomeAndAbsolutePatterns_MatchResolvedPaths()
    {
        using var fixture = new PermissionFixture();
        var engine = fixture.Engine(allow: [$"read({fixture.Temp.Path}/shared/**)", "read(~/docs/**)"], deny: ["read(~/private)"]);

        Assert.Equal(Verdict.Allow, Read(engine, Path.Combine(fixture.Temp.Path, "shared", "a.txt")).Verdict);
        Assert.Equal(Verdict.Allow, Read(engine, "~/docs/a.md").Verdict);
        Assert.Equal(Verdict.Allow, Read(engine, Path.Combine(fixture.Home, "docs", "a.md")).Verdict);
        Assert.Equal(Verdict.Deny, Read(engine, "~/private/x").Verdict);
        Assert.Equal(Verdict.Deny, Read(engine, "~/docs/../private/x").Verdict);
        Assert.Equal(Verdict.Ask, Read(engine, "~/other.txt").Verdict);
    }

    [Fact]
    public void ExtraDirectories_BelongToTheSandbox()
    {
        using var fixture = new PermissionFixture();
        var extra = fixture.Temp.Combine("extra");
        Directory.CreateDirectory(extra);
        var engine = fixture.Engine(PermissionPolicy.Empty, extra);

        Assert.Equal(Verdict.Allow, Read(engine, Path.Combine(extra, "a.txt"), PermissionMode.DontAsk).Verdict);
        Assert.Equal(Verdict.Allow, Write(engine, Path.Combine(extra, "a.txt"), PermissionMode.AcceptEdits).Verdict);
        Assert.Equal(Verdict.Deny, Read(engine, fixture.Temp.Combine("extra2", "a.txt"), PermissionMode.DontAsk).Verdict);
    }

    public static TheoryData<string, string, Verdict> CharacterClasses => new()
    {
        { "write(src/[abc].cs)", "src/a.cs", Verdict.Allow },
        { "write(src/[abc].cs)", "src/d.cs", Verdict.Ask },
        { "write(src/[abc].cs)", "src/[abc].cs", Verdict.Ask }, // allow rules read '[…]' only as a class
        { "write(src/file[0-9].txt)", "src/file5.txt", Verdict.Allow },
        { "write(src/file[0-9].txt)", "src/filex.txt", Verdict.Ask },
        { "write(src/file[0-9].txt)", "src/file10.txt", Verdict.Ask },
        { "write(src/[a-cx-z]*)", "src/y.cs", Verdict.Allow },
        { "write(src/[a-cx-z]*)", "src/m.cs", Verdict.Ask },
        { "write(src/[!.]*)", "src/x.cs", Verdict.Allow },
        { "write(src/[!.]*)", "src/.hidden", Verdict.Ask },
        { "write(src/[^.]*)", "src/.hidden", Verdict.Ask },
        { "write(src/[*]x)", "src/*x", Verdict.Allow },
        { "write(src/[*]x)", "src/ax", Verdict.Ask },
        { "write(src/[]a].txt)", "src/].txt", Verdict.Allow },
        { "write(src/[]a].txt)", "src/a.txt", Verdict.Allow },
        { "write(src/[z-a].txt)", "src/m.txt", Verdict.Ask }, // a reversed range matches nothing
        { "write(src/[abc)", "src/[abc", Verdict.Allow }, // no closing ']': literal
        { "write(src[!x]a/**)", "src/a/x", Verdict.Ask }, // a class never matches '/'
        { "write(src/[+-0]x)", "src//x", Verdict.Ask },
        { "write(*.[ch])", "src/deep/main.c", Verdict.Allow },
        { "write(*.[ch])", "src/deep/main.cs", Verdict.Ask },
    };

    [Theory]
    [MemberData(nameof(CharacterClasses))]
    public void PathPatterns_SupportCharacterClasses(string rule, string path, Verdict expected)
    {
        using var fixture = new PermissionFixture();
        var engine = fixture.Engine(allow: [rule]);

        var decision = Write(engine, path);

        Assert.True(expected == decision.Verdict, $"{rule} {path}: expected {expected}, got {decision.Verdict} ({decision.Reason})");
    }

    [Theory]
    [InlineData("app/[id]/page.tsx")] // the literal reading of a deny rule still holds
    [InlineData("app/i/page.tsx")]
    [InlineData("APP/D/page.tsx")]
    public void DenyRules_WithClasses_MatchAsAClassAndLiterally(string path)
    {
        using var fixture = new PermissionFixture();
        var engine = fixture.Engine(allow: ["write"], deny: ["write(app/[id]/**)", "write(src/[A-Z]*.cs)"]);

        Assert.Equal(Verdict.Deny, Write(engine, path, PermissionMode.Yolo).Verdict);
        Assert.Equal(Verdict.Deny, Write(engine, "src/abc.cs", PermissionMode.Yolo).Verdict); // deny rules ignore case
        Assert.Equal(Verdict.Allow, Write(engine, "app/x/page.tsx", PermissionMode.Yolo).Verdict);
    }

    [Theory]
    [InlineData("https://api.example.com/x", Verdict.Allow)]
    [InlineData("https://example.com/x", Verdict.Ask)]
    [InlineData("https://evil.com/?q=.example.com", Verdict.Ask)]
    [InlineData("https://api.example.com.evil.com/", Verdict.Ask)]
    [InlineData("https://docs.python.org/3/", Verdict.Allow)]
    [InlineData("https://blocked.example.com/", Verdict.Deny)]
    [InlineData("https://BLOCKED.Example.com/", Verdict.Deny)]
    public void FetchRules_MatchTheDomain(string url, Verdict expected)
    {
        using var fixture = new PermissionFixture();
        var engine = fixture.Engine(allow: ["fetch(domain:*.example.com)", "fetch(domain:docs.python.org)"], deny: ["fetch(domain:blocked.example.com)"]);

        Assert.Equal(expected, Fetch(engine, url).Verdict);
    }
}
