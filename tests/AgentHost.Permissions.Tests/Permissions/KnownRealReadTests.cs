using AgentHost.Permissions;
using AgentHost.Permissions.Gate;
using AgentHost.Permissions.Paths;
using AgentHost.Permissions.Rules;
using AgentHost.Sdk.Tools;
using AgentHost.Tests.Support;

namespace AgentHost.Permissions.Tests;

/// <summary>
/// The engine's read decision for a path already known to be real (<see cref="PermissionEngine.DecideKnownRealRead"/>,
/// issue #25: a search with a <c>read</c> deny or ask rule asked the engine for every file, and the engine resolved
/// each path twice, part by part). It must give exactly the decision of <see cref="PermissionEngine.Decide"/> — verdict,
/// reason, basis, matched rule, suggestions — for every real file under every rule set and mode: deny, ask and allow
/// rules, <c>**</c>, classes, case variants, absolute and <c>~</c> rules, the floor, paths outside the root; it must
/// leave every path it cannot read as one plain spelling to the general decision; and it must not resolve the path
/// (shown with a link passed as if it were real).
/// </summary>
public sealed class KnownRealReadTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public KnownRealReadTests()
    {
        foreach (var path in new[]
        {
            "home/notes/todo.txt", "home/.ssh/id_rsa", "home/.aws/credentials", "home/.netrc",
            "home/proj/.env", "home/proj/.ENV", "home/proj/.Env.local", "home/proj/src/app.cs", "home/proj/src/App.Secret",
            "home/proj/src/deep/a/b/c.secret", "home/proj/src/deep/a/b/c.secretx", "home/proj/SRC/upper.cs",
            "home/proj/keys/server.pem", "home/proj/Keys/Server.PEM", "home/proj/keys/\u212Aelvin.pem",
            "home/proj/config/app.yaml", "home/proj/config/nested/x.json", "home/proj/docs/[a].md", "home/proj/docs/a.md",
            "home/proj/docs/na\u00efve.txt", "home/proj/.agent/config.yaml", "home/proj/.git/config", "home/proj/name with space.txt",
            "outside/secret.txt", "outside/deep/x.secret",
        })
        {
            _temp.WriteFile(path, "x\n");
        }
    }

    private string Home => SymbolicLinks.Resolve(_temp.Combine("home"), lexicalLinks: true);

    private string Root => Path.Combine(Home, "proj");

    /// <summary>Rule sets, in the configuration's words: <c>deny:</c>, <c>ask:</c>, <c>allow:</c> lists; <c>{root}</c> is the real root.</summary>
    public static TheoryData<string> RuleSets => new()
    {
        string.Empty,
        "deny:read(.env)",
        "deny:read(**/*.secret)",
        "ask:read(**/*.secret)",
        "deny:read(**/*.secret)|ask:read(keys/**)",
        "deny:read(.env*)|ask:read(*.pem)|allow:read(src/**)",
        "deny:read(*.[pP][eE][mM])",
        "deny:read(docs/[a].md)",
        "deny:read(src)",
        "ask:read(config/**)|allow:read(config/app.yaml)",
        "deny:read({root}/config/**)",
        "ask:read(/{root}/src/deep/**)",
        "deny:read(~/notes/**)|ask:read(~/proj/keys/**)",
        "deny:read(~/.netrc)",
        "allow:read(**)",
        "allow:read(src/**)|allow:read(~/notes/**)",
        "allow:read({root}/../outside/**)",
        "deny:read(/**/*.secret)",
        "ask:read(**/na\u00efve.txt)|deny:read(**/\u212Aelvin.pem)",
        "deny:read(**/name with space.txt)",
        "deny:view|ask:read",
        "floor-off|deny:read(.env)",
    };

    [Theory]
    [MemberData(nameof(RuleSets))]
    public void DecideKnownRealRead_DecidesEveryRealFile_AsDecideDoes(string rules)
    {
        foreach (var root in new[] { Root, Home })
        {
            var engine = Engine(rules, root);
            var files = Directory.EnumerateFiles(_temp.Path, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
                .Select(file => SymbolicLinks.Resolve(file, lexicalLinks: true))
                .ToList();
            Assert.True(files.Count >= 20);
            foreach (var mode in Enum.GetValues<PermissionMode>())
            {
                foreach (var file in files)
                {
                    AssertSame(engine, file, mode);
                }
            }
        }
    }

    [Theory]
    [InlineData("src/app.cs")]
    [InlineData("./src/app.cs")]
    [InlineData("{root}/src/../src/app.cs")]
    [InlineData("{root}/src/./app.cs")]
    [InlineData("{root}//src/app.cs")]
    [InlineData("{root}/src/app.cs/")]
    [InlineData("{root}/src/../../notes/todo.txt")]
    [InlineData("{root}/src\\app.cs")]
    [InlineData("{root}/.env.")]
    [InlineData("{root}/.env ")]
    [InlineData("{root}/src. /app.cs")]
    [InlineData(" {root}/.env")]
    [InlineData("{root}/$HOME/x")]
    [InlineData("$HOME/proj/.env")]
    [InlineData("~/proj/.env")]
    [InlineData("~other/x")]
    [InlineData("{root}/a`b`")]
    [InlineData("{root}/.env\n{root}/src/app.cs")]
    [InlineData("{root}/x\0y")]
    [InlineData("{root}/a\rb")]
    public void DecideKnownRealRead_LeavesEveryOtherSpelling_ToTheGeneralDecision(string path)
    {
        var spelled = path.Replace("{root}", Root, StringComparison.Ordinal);
        var engine = Engine("deny:read(.env)|ask:read(src/**)|allow:read(notes/**)", Root);

        Assert.False(PathSandbox.IsPlainSpelling(spelled));
        Assert.Null(engine.Sandbox.KnownRealTarget(TargetKind.Read, spelled));
        foreach (var mode in Enum.GetValues<PermissionMode>())
        {
            AssertSame(engine, spelled, mode);
        }
    }

    [Fact]
    public void DecideKnownRealRead_LeavesOtherCalls_ToTheGeneralDecision()
    {
        var engine = Engine("deny:read(.env)|deny:write(.env)", Root);
        var env = Path.Combine(Root, ".env");

        foreach (var call in new[]
        {
            new PermissionCall("write", ToolEffect.Write, env),
            new PermissionCall("shell", ToolEffect.Execute, "cat " + env),
            new PermissionCall("fetch", ToolEffect.Read | ToolEffect.Network, env),
            new PermissionCall("read", ToolEffect.Read, env) { Paths = [new ToolCallPath(Path.Combine(Root, "src", "app.cs"), ToolEffect.Read)] },
        })
        {
            Assert.Equal(Describe(engine.Decide(call, PermissionMode.Ask)), Describe(engine.DecideKnownRealRead(call, PermissionMode.Ask)));
        }
    }

    [SymlinkFact]
    public void DecideKnownRealRead_DoesNotResolveThePath_ThatIsTheCallersPromise()
    {
        // A link passed as if it were real is decided on its own name: the engine did not resolve it (the general
        // decision sees the target). Callers pass only paths a listing or a check showed to be no link.
        var link = Path.Combine(Root, "src", "plain.txt");
        File.CreateSymbolicLink(link, Path.Combine(Root, "src", "App.Secret"));
        var engine = Engine("deny:read(**/*.secret)", Root);
        var call = ReadCall(link);

        Assert.Equal(Verdict.Deny, engine.Decide(call, PermissionMode.Yolo).Verdict);
        Assert.Equal(Verdict.Allow, engine.DecideKnownRealRead(call, PermissionMode.Yolo).Verdict);
    }

    [Fact]
    public void IsPlainSpelling_AcceptsTheRealPathsOfATree()
    {
        Assert.True(PathSandbox.IsPlainSpelling(Path.Combine(Root, "src", "app.cs")) || OperatingSystem.IsWindows());
        Assert.True(PathSandbox.IsPlainSpelling(Path.Combine(Root, "name with space.txt")) || OperatingSystem.IsWindows());
        Assert.True(PathSandbox.IsPlainSpelling(Path.Combine(Root, ".env")) || OperatingSystem.IsWindows());
    }

    public void Dispose() => _temp.Dispose();

    private static void AssertSame(PermissionEngine engine, string path, PermissionMode mode)
    {
        var call = ReadCall(path);
        var general = Describe(engine.Decide(call, mode));
        var known = Describe(engine.DecideKnownRealRead(call, mode));
        Assert.True(general == known, $"{path} ({mode}):\n general {general}\n known   {known}");
    }

    /// <summary>The call <see cref="ReadAccessCheck"/> makes through the gate.</summary>
    private static PermissionCall ReadCall(string path) => new("read", ToolEffect.Read, path) { Plugin = string.Empty, Action = "read" };

    private static string Describe(PermissionDecision decision) =>
        $"{decision.Verdict} | {decision.Reason} | {decision.Basis} | {decision.MatchedRule?.Text} {decision.MatchedRule?.List} | {decision.Mode} | {decision.Kind} | {decision.Subject} | "
        + $"outside {decision.OutsideSandbox} | staging {decision.Staging} | [{string.Join(", ", decision.SuggestedRules)}] | parts {decision.Parts.Count}";

    private PermissionEngine Engine(string rules, string root)
    {
        var lists = rules.Replace("{root}", Root, StringComparison.Ordinal).Split('|', StringSplitOptions.RemoveEmptyEntries);
        string[] Of(string list) => [.. lists.Where(l => l.StartsWith(list + ":", StringComparison.Ordinal)).Select(l => l[(list.Length + 1)..])];
        var parsed = PermissionPolicy.FromText(allow: Of("allow"), ask: Of("ask"), deny: Of("deny"));
        Assert.Empty(parsed.Problems);
        var policy = lists.Contains("floor-off") ? new PermissionPolicy(parsed.Rules, safetyFloor: false) : parsed;
        return new PermissionEngine(policy, root, Home);
    }
}
