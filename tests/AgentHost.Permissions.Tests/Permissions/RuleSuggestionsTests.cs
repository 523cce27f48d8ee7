using AgentHost.Common.Shell;
using AgentHost.Permissions;
using AgentHost.Sdk.Tools;

namespace AgentHost.Tests.Permissions;

/// <summary>The "always allow" suggestions on their own: the narrowest rule a person would write for a target.</summary>
public sealed class RuleSuggestionsTests : IDisposable
{
    private readonly PermissionFixture _fixture = new();

    [Theory]
    [InlineData("npm test --watch", "shell(npm test *)")]
    [InlineData("npm test", "shell(npm test)")]
    [InlineData("ls", "shell(ls)")]
    [InlineData("ls -la src", "shell(ls *)")]
    [InlineData("FOO=1 npm test", "shell(FOO=1 npm test)")]
    [InlineData("ls | xargs wc", "shell(ls)")]
    public void Command_TheCommandAndItsSubcommand_ThenAnything(string line, string rule)
    {
        var sandbox = Sandbox();
        var call = new PermissionCall("shell", ToolEffect.Execute, line);
        var first = new ShellTargets(sandbox).Build(call, ShellCommandParser.Parse(line))[0];

        Assert.Equal(rule, new RuleSuggestions(sandbox.Root, sandbox.Home).Suggest(call, first));
    }

    [Theory]
    [InlineData("$TOOL --fix")]
    [InlineData("${NPM:-npm} test")]
    public void Command_NamedOnlyAtRunTime_HasNoSuggestion(string line)
    {
        var sandbox = Sandbox();
        var call = new PermissionCall("shell", ToolEffect.Execute, line);
        var target = Assert.Single(new ShellTargets(sandbox).Build(call, ShellCommandParser.Parse(line)));

        Assert.Null(new RuleSuggestions(sandbox.Root, sandbox.Home).Suggest(call, target));
    }

    [Fact]
    public void Paths_RelativeToTheRoot_TildeInHome_AbsoluteElsewhere()
    {
        var sandbox = Sandbox();
        var suggestions = new RuleSuggestions(sandbox.Root, sandbox.Home);
        var call = new PermissionCall("write", ToolEffect.Write, "x");
        var elsewhere = Path.Combine(Path.GetDirectoryName(sandbox.Root)!, "elsewhere", "notes.md");

        Assert.Equal("write(src/app.cs)", suggestions.Suggest(call, sandbox.PathTarget(TargetKind.Write, "src/app.cs", dynamic: false, sandbox.Root)));
        Assert.Equal("read(~/notes/today.md)", suggestions.Suggest(call, sandbox.PathTarget(TargetKind.Read, "~/notes/today.md", dynamic: false, sandbox.Root)));
        Assert.Equal($"write({elsewhere.Replace('\\', '/')})", suggestions.Suggest(call, sandbox.PathTarget(TargetKind.Write, elsewhere, dynamic: false, sandbox.Root)));
        Assert.Null(suggestions.Suggest(call, sandbox.PathTarget(TargetKind.Write, "$OUT/x", dynamic: true, sandbox.Root)));
    }

    [Fact]
    public void FetchAndTools_TheDomain_OrTheQualifiedToolName()
    {
        var sandbox = Sandbox();
        var suggestions = new RuleSuggestions(sandbox.Root, sandbox.Home);

        Assert.Equal("fetch(domain:example.com)", suggestions.Suggest(new PermissionCall("fetch", ToolEffect.Network, "https://example.com/a"), new Target(TargetKind.Fetch, "https://example.com/a") { Host = "example.com" }));
        Assert.Null(suggestions.Suggest(new PermissionCall("fetch", ToolEffect.Network, "?"), new Target(TargetKind.Fetch, "?")));
        Assert.Equal("ops/deploy", suggestions.Suggest(new PermissionCall("deploy", ToolEffect.Execute, "{}") { Plugin = "ops" }, new Target(TargetKind.Tool, "ops/deploy")));
        Assert.Equal("deploy", suggestions.Suggest(new PermissionCall("deploy", ToolEffect.Execute, "{}"), new Target(TargetKind.Tool, "deploy")));
    }

    public void Dispose() => _fixture.Dispose();

    private PathSandbox Sandbox() => new(_fixture.Root, _fixture.Home);
}
