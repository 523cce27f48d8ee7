using AgentHost.Common.Shell;
using AgentHost.Permissions;
using AgentHost.Permissions.Paths;
using AgentHost.Permissions.Rules;
using AgentHost.Sdk.Tools;
using AgentHost.Tests.Permissions;

namespace AgentHost.Permissions.Tests;

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
    [InlineData("python3 scripts/check.py --fix", "shell(python3 scripts/check.py *)")]
    [InlineData("python3 scripts/check.py", "shell(python3 scripts/check.py)")]
    [InlineData("python3 -m pytest -x", "shell(python3 -m pytest *)")]
    [InlineData("python3 -c 'import os; print(1)'", "shell(python3 -c 'import os; print(1)')")]
    [InlineData("sh ./deploy.sh prod", "shell(sh ./deploy.sh *)")]
    [InlineData("node ./tools/gen.js out", "shell(node ./tools/gen.js *)")]
    [InlineData("/usr/bin/python3 x.py", "shell(/usr/bin/python3 x.py)")]
    [InlineData("python3 -V", "shell(python3 -V)")]
    [InlineData("python3 -W ignore scripts/check.py --fix", "shell(python3 -W ignore scripts/check.py *)")]
    [InlineData("python3 -X dev -m pytest -x", "shell(python3 -X dev -m pytest *)")]
    [InlineData("node -r ts-node/register tools/gen.ts out", "shell(node -r ts-node/register tools/gen.ts *)")]
    [InlineData("ruby -I lib bin/run.rb", "shell(ruby -I lib bin/run.rb)")]
    [InlineData("bash -o pipefail ./ci.sh fast", "shell(bash -o pipefail ./ci.sh *)")]
    [InlineData("java -cp build/libs App arg", "shell(java -cp build/libs App *)")]
    public void Interpreter_KeepsTheScriptOrCodeItRuns(string line, string rule)
    {
        var sandbox = Sandbox();
        var call = new PermissionCall("shell", ToolEffect.Execute, line);
        var first = new ShellTargets(sandbox).Build(call, ShellCommandParser.Parse(line))[0];

        Assert.Equal(rule, new RuleSuggestions(sandbox.Root, sandbox.Home).Suggest(call, first));
    }

    [Theory]
    [InlineData("python3 scripts/check.py --fix", true)]
    [InlineData("sh ./deploy.sh prod", true)]
    [InlineData("FOO=1 ruby bin/setup", true)]
    [InlineData("npm test --watch", false)]
    [InlineData("git push origin main", false)]
    [InlineData("ls -la src", false)]
    public void Suggestion_NeverWidensBeyondTheCallsCommand(string line, bool interpreter)
    {
        var sandbox = Sandbox();
        var call = new PermissionCall("shell", ToolEffect.Execute, line);
        var target = new ShellTargets(sandbox).Build(call, ShellCommandParser.Parse(line))[0];

        var pattern = new RuleSuggestions(sandbox.Root, sandbox.Home).Suggest(call, target)!["shell(".Length..^1];

        // The rule's fixed part is the start of the call itself, then at most ' *' for the call's own arguments.
        var fixedPart = pattern.EndsWith(" *", StringComparison.Ordinal) ? pattern[..^2] : pattern;
        Assert.StartsWith(fixedPart, line, StringComparison.Ordinal);
        Assert.True(RuleMatcher.ShellPatternMatches(pattern, line, ignoreCase: false), pattern);

        // What an interpreter runs is part of the rule: allowing one script never allows every program in that language.
        var programWords = line.StartsWith("FOO=", StringComparison.Ordinal) ? 2 : 1;
        Assert.Equal(interpreter, fixedPart.Split(' ').Length > programWords + (interpreter ? 0 : 1));
    }

    [Fact]
    public void Paths_AreExactlyThePathOfTheCall()
    {
        var sandbox = Sandbox();
        var suggestions = new RuleSuggestions(sandbox.Root, sandbox.Home);
        var call = new PermissionCall("write", ToolEffect.Write, "x");

        Assert.Equal("write(src/deep/app.cs)", suggestions.Suggest(call, sandbox.PathTarget(TargetKind.Write, "src/deep/app.cs", dynamic: false, sandbox.Root)));
        Assert.Equal("read(docs/a b.md)", suggestions.Suggest(call, sandbox.PathTarget(TargetKind.Read, "docs/a b.md", dynamic: false, sandbox.Root)));
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
