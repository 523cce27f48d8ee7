using AgentHost.Permissions;
using AgentHost.Permissions.Gate;
using AgentHost.Permissions.Rules;
using AgentHost.Tests.Permissions;
using static AgentHost.Tests.Permissions.PermissionFixture;

namespace AgentHost.Permissions.Tests;

/// <summary>The session layer (<see cref="SessionPolicy"/>): it only narrows, under every configured rule.</summary>
public sealed class SessionPolicyTests
{
    private static SessionPolicy Session(string[]? allow = null, string[]? deny = null, string[]? network = null, long? maxRead = null)
    {
        Assert.True(SessionPolicy.TryCreate(maxRead, allow, deny, network, denyTools: null, out var policy, out var error), error);
        return policy;
    }

    private static PermissionEngine Engine(PermissionFixture fixture, SessionPolicy session, string[]? allow = null, string[]? ask = null, string[]? deny = null)
    {
        var policy = PermissionPolicy.FromText(allow, ask, deny);
        Assert.Empty(policy.Problems);
        return fixture.Engine(policy.WithSession(session));
    }

    [Theory]
    [InlineData(PermissionMode.Yolo)]
    [InlineData(PermissionMode.AcceptEdits)]
    [InlineData(PermissionMode.Ask)]
    public void DenyGlob_DeniesReadsAndWrites_EvenWhenTheModeWouldAllow(PermissionMode mode)
    {
        using var fixture = new PermissionFixture();
        var engine = Engine(fixture, Session(deny: ["secrets/**", "*.pem"]), allow: ["read(**)", "write(**)"]);

        var read = Read(engine, "secrets/token.txt", mode);
        var write = Write(engine, "src/KEY.PEM", mode);

        Assert.Equal(Verdict.Deny, read.Verdict);
        Assert.Equal(DecisionBasis.Session, read.Basis);
        Assert.Contains("deny_paths glob 'secrets/**'", read.Reason, StringComparison.Ordinal);
        Assert.Equal(Verdict.Deny, write.Verdict);
        Assert.Equal(DecisionBasis.Session, write.Basis);
        Assert.Equal(Verdict.Allow, Read(engine, "src/a.cs", mode).Verdict);
        Assert.Empty(read.SuggestedRules);
        Assert.Contains("session's policy", DenialAdvice.For(read), StringComparison.Ordinal);
    }

    [Fact]
    public void DenyGlob_CoversShellRedirections()
    {
        using var fixture = new PermissionFixture();
        var engine = Engine(fixture, Session(deny: ["secrets/**"]));

        var decision = Shell(engine, "cat < secrets/token.txt > out.txt", PermissionMode.Yolo);

        Assert.Equal(Verdict.Deny, decision.Verdict);
        Assert.Contains(decision.Parts, p => p.Basis == DecisionBasis.Session);
    }

    [Fact]
    public void AllowGlobs_DenyEveryOtherPath_AndNeverAllowWhatTheConfigurationDeniesOrAsks()
    {
        using var fixture = new PermissionFixture();
        var engine = Engine(fixture, Session(allow: ["src/**"]), ask: ["write(src/generated/**)"], deny: ["read(src/key.txt)"]);

        Assert.Equal(Verdict.Allow, Read(engine, "src/a.cs").Verdict);
        var outside = Read(engine, "README.md", PermissionMode.Yolo);
        Assert.Equal(Verdict.Deny, outside.Verdict);
        Assert.Contains("outside the session's allow_paths (src/**)", outside.Reason, StringComparison.Ordinal);

        // The configured deny rule still decides (and is named), the configured ask rule still asks, the mode still asks.
        var denied = Read(engine, "src/key.txt", PermissionMode.Yolo);
        Assert.Equal(DecisionBasis.Rule, denied.Basis);
        Assert.Equal(Verdict.Deny, denied.Verdict);
        Assert.Equal(Verdict.Ask, Write(engine, "src/generated/x.cs", PermissionMode.AcceptEdits).Verdict);
        Assert.Equal(Verdict.Ask, Write(engine, "src/a.cs", PermissionMode.Ask).Verdict);
    }

    [Fact]
    public void AllowGlob_DoesNotReachThroughALinkToAnotherFolder()
    {
        using var fixture = new PermissionFixture();
        Directory.CreateDirectory(Path.Combine(fixture.Root, "private"));
        File.CreateSymbolicLink(Path.Combine(fixture.Root, "src", "link"), Path.Combine(fixture.Root, "private"));
        var engine = Engine(fixture, Session(allow: ["src/**"]));

        Assert.Equal(Verdict.Deny, Read(engine, "src/link/notes.txt", PermissionMode.Yolo).Verdict);
    }

    [Fact]
    public void NetworkAllowlist_DeniesOtherHosts_AndIntersectsWithTheConfiguration()
    {
        using var fixture = new PermissionFixture();
        var engine = Engine(fixture, Session(network: ["*.example.com"]), deny: ["fetch(domain:blocked.example.com)"]);

        var local = Fetch(engine, "http://127.0.0.1:8080/page", PermissionMode.Yolo);
        Assert.Equal(Verdict.Deny, local.Verdict);
        Assert.Equal(DecisionBasis.Session, local.Basis);
        Assert.Contains("127.0.0.1 is not in the session's network_allow (*.example.com)", local.Reason, StringComparison.Ordinal);
        Assert.Equal(Verdict.Allow, Fetch(engine, "https://docs.example.com/x", PermissionMode.Yolo).Verdict);

        // A listed host is not allowed by the list: the mode still asks, and a configured deny still denies.
        Assert.Equal(Verdict.Ask, Fetch(engine, "https://docs.example.com/x", PermissionMode.Ask).Verdict);
        var blocked = Fetch(engine, "https://blocked.example.com/", PermissionMode.Yolo);
        Assert.Equal(Verdict.Deny, blocked.Verdict);
        Assert.Equal(DecisionBasis.Rule, blocked.Basis);
    }

    [Fact]
    public void EmptyNetworkAllowlist_DeniesEveryNetworkCall_IncludingToolsWithoutAHost()
    {
        using var fixture = new PermissionFixture();
        var engine = Engine(fixture, Session(network: []));

        Assert.Equal(Verdict.Deny, Fetch(engine, "https://example.com/", PermissionMode.Yolo).Verdict);
        var tool = engine.Decide(new PermissionCall("mcp__search__query", AgentHost.Sdk.Tools.ToolEffect.Network, null), PermissionMode.Yolo);
        Assert.Equal(Verdict.Deny, tool.Verdict);
        Assert.Equal(DecisionBasis.Session, tool.Basis);
    }

    [Fact]
    public void Layers_AllApply_AndTheReadCapIsTheSmallest()
    {
        var policy = PermissionPolicy.Empty.WithSession(Session(allow: ["src/**"], maxRead: 4096)).WithSession(Session(allow: ["docs/**"], maxRead: 100_000));
        using var fixture = new PermissionFixture();
        var engine = fixture.Engine(policy);

        Assert.Equal(4096, policy.MaxReadBytes);
        Assert.Equal(2, policy.SessionLayers.Count);
        Assert.Equal(Verdict.Deny, Read(engine, "src/a.cs", PermissionMode.Yolo).Verdict);
        Assert.Equal(Verdict.Deny, Read(engine, "docs/a.md", PermissionMode.Yolo).Verdict);
        Assert.Same(PermissionPolicy.Empty, PermissionPolicy.Empty.WithSession(SessionPolicy.None));
    }

    [Theory]
    [InlineData(null, new[] { "src/(x)" }, null, "allow_paths: 'src/(x)'")]
    [InlineData(null, null, new[] { "" }, "deny_paths: ''")]
    [InlineData(100L, null, null, "max_read_bytes: 100 is out of range")]
    public void TryCreate_RefusesBadValues_NamingTheSetting(long? maxRead, string[]? allow, string[]? deny, string expected)
    {
        Assert.False(SessionPolicy.TryCreate(maxRead, allow, deny, null, denyTools: null, out _, out var error));
        Assert.StartsWith(expected, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://example.com")]
    [InlineData("example.com:443")]
    [InlineData("exa mple.com")]
    public void TryCreate_RefusesANetworkEntryThatIsNotAHost(string host)
    {
        Assert.False(SessionPolicy.TryCreate(null, null, null, [host], denyTools: null, out _, out var error));
        Assert.StartsWith($"network_allow: '{host}' is not a host name", error, StringComparison.Ordinal);
    }

    [Fact]
    public void GateNarrow_AppliesToTheNextCall_AndToCallsForAnotherRoot()
    {
        using var fixture = new PermissionFixture();
        var other = fixture.Temp.Combine("other");
        Directory.CreateDirectory(other);
        var gate = new RulePermissionGate(PermissionPolicy.Empty, PermissionMode.Yolo, fixture.Root, fixture.Home);
        ToolPermissionRequest Request(string root) =>
            new("s", "c", "view", "files", AgentHost.Sdk.Tools.ToolEffect.Read, new AgentHost.Sdk.Tools.ToolCallDescription("read", "notes.txt")) { WorkspaceRoot = root };
        Assert.Equal(Verdict.Allow, gate.Decide(Request(other)).Verdict);

        gate.Narrow(Session(deny: ["notes.txt"]));

        Assert.Equal(Verdict.Deny, gate.Decide(Request(fixture.Root)).Verdict);
        Assert.Equal(Verdict.Deny, gate.Decide(Request(other)).Verdict);
        Assert.Single(gate.Policy.SessionLayers);
    }

    [Fact]
    public void ReadCheck_OfAMultiFileTool_HonoursTheSessionGlobs_WithoutConfiguredReadRules()
    {
        using var fixture = new PermissionFixture();
        File.WriteAllText(Path.Combine(fixture.Root, "src", "a.cs"), "a");
        Directory.CreateDirectory(Path.Combine(fixture.Root, "secrets"));
        File.WriteAllText(Path.Combine(fixture.Root, "secrets", "token.txt"), "t");
        var gate = new RulePermissionGate(PermissionPolicy.Empty.WithSession(Session(deny: ["secrets/**"])), PermissionMode.Yolo, fixture.Root, fixture.Home);
        var check = ReadAccessCheck.Create(gate, "s", "c", fixture.Root)!;

        Assert.True(check.Check(Path.Combine(fixture.Root, "src", "a.cs")).Allowed);
        Assert.False(check.Check(Path.Combine(fixture.Root, "secrets", "token.txt")).Allowed);
        Assert.False(check.CheckWalkedFile(Path.Combine(fixture.Root, "secrets", "token.txt")).Allowed);
    }
}
