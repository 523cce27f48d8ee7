using AgentHost.Permissions;
using AgentHost.Permissions.Gate;
using static AgentHost.Tests.Permissions.GateFixture;

namespace AgentHost.Agent.Tests.Permissions;

/// <summary>Hooks' answers in the session gate: a hook's allow replaces only the question, and a deny rule still wins.</summary>
public sealed class HookPermissionGateTests
{
    private static HookPermissionAnswer Hook(string decision, string? reason = null) => new(decision, reason, "user (config.yaml:3)");

    [Fact]
    public async Task HookAllow_AnswersACallThatWouldAsk_WithoutAPerson_AndIsAudited()
    {
        await using var fixture = await CreateAsync();
        fixture.Answer(Once);
        var gate = await fixture.GateAsync(PermissionMode.Ask);

        var verdict = await gate.DecideAsync(fixture.Shell("make test") with { Hook = Hook("allow", "make is fine") });

        Assert.True(verdict.Allowed);
        Assert.Equal(("hook", "hook: user (config.yaml:3)"), (verdict.Scope, verdict.AnsweredBy));
        Assert.Empty(fixture.Requests);
        var audit = Assert.Single(await fixture.Store.Audit.GetAuditAsync(fixture.SessionId));
        Assert.Equal(("allow", "hook", "hook: user (config.yaml:3)"), (audit.Decision, audit.Scope, audit.AnsweredBy));
        Assert.Contains("make is fine", audit.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(PermissionMode.Ask)]
    [InlineData(PermissionMode.DontAsk)]
    [InlineData(PermissionMode.Yolo)]
    public async Task ADenyRule_WinsOverAHooksAllow_InEveryMode(PermissionMode mode)
    {
        await using var fixture = await CreateAsync();
        var gate = await fixture.GateAsync(mode, deny: ["shell(rm *)"]);

        var verdict = await gate.DecideAsync(fixture.Shell("rm -rf build") with { Hook = Hook("allow") });

        Assert.False(verdict.Allowed);
        Assert.Equal("config", verdict.AnsweredBy);
        Assert.Contains("rm *", verdict.Rule, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HookAllow_DoesNotPassTheSafetyFloor_PlanMode_OrAProtectedPath()
    {
        await using var fixture = await CreateAsync();
        fixture.Answer(new PermissionAnswer(PermissionAnswerKind.Deny, "test"));
        var plan = await fixture.GateAsync(PermissionMode.Plan);
        var ask = await fixture.GateAsync(PermissionMode.Ask);

        var floor = await ask.DecideAsync(fixture.Shell("rm -rf /") with { Hook = Hook("allow") });
        var planned = await plan.DecideAsync(fixture.Write("src/a.txt") with { Hook = Hook("allow") });
        var protectedWrite = await ask.DecideAsync(fixture.Write(".agent/config.yaml") with { Hook = Hook("allow") });

        Assert.False(floor.Allowed);
        Assert.Equal("safety-floor", floor.Scope);
        Assert.False(planned.Allowed);
        Assert.False(protectedWrite.Allowed);
        Assert.Single(fixture.Requests); // the protected write still asked a person
    }

    [Fact]
    public async Task HookAllow_InDontAskMode_RunsACallThatWouldHaveAsked()
    {
        await using var fixture = await CreateAsync();
        var gate = await fixture.GateAsync(PermissionMode.DontAsk);

        var verdict = await gate.DecideAsync(fixture.Write("src/a.txt") with { Hook = Hook("allow") });

        Assert.True(verdict.Allowed);
        Assert.Equal("hook", verdict.Scope);
    }

    [Fact]
    public async Task HookAsk_PutsAnAllowedCallToAPerson_AndHookDenyDeniesIt()
    {
        await using var fixture = await CreateAsync();
        fixture.Answer(Once);
        var gate = await fixture.GateAsync(PermissionMode.Ask, allow: ["shell(make *)"]);

        var asked = await gate.DecideAsync(fixture.Shell("make deploy") with { Hook = Hook("ask", "deploys need a look") });
        var denied = await gate.DecideAsync(fixture.Shell("make deploy") with { Hook = Hook("deny", "not today") });

        Assert.True(asked.Allowed);
        Assert.Equal("once", asked.Scope);
        Assert.Contains("a PreToolUse hook asks: deploys need a look", Assert.Single(fixture.Requests).Reason, StringComparison.Ordinal);
        Assert.False(denied.Allowed);
        Assert.Equal("denied by a hook (user (config.yaml:3)): not today", denied.Reason);
    }

    [Theory]
    [InlineData(PermissionMode.Ask)]
    [InlineData(PermissionMode.DontAsk)]
    public async Task PermissionRequestHooks_AnswerBeforeAnyPerson_AlsoHeadless_ButNeverPastADenyRule(PermissionMode mode)
    {
        await using var fixture = await CreateAsync();
        var hooks = new FakeHooks(new HookPermissionAnswer("allow", null, "plugin acme") { UpdatedArgumentsJson = "{\"command\":\"make test\"}" });
        var gate = await fixture.GateAsync(mode, deny: ["shell(rm *)"], hooks: hooks);

        var allowed = await gate.DecideAsync(fixture.Shell("make test"));
        var denied = await gate.DecideAsync(fixture.Shell("rm -rf build"));

        Assert.True(allowed.Allowed);
        Assert.Equal("hook: plugin acme", allowed.AnsweredBy);
        Assert.Equal("{\"command\":\"make test\"}", allowed.UpdatedArgumentsJson);
        Assert.False(denied.Allowed);
        Assert.Equal(1, hooks.Asked);
    }

    [Fact]
    public async Task WhenNoHookDecides_APersonIsAsked_AndNotificationHooksHearOfIt()
    {
        await using var fixture = await CreateAsync();
        fixture.Answer(Once);
        var hooks = new FakeHooks(null);
        var gate = await fixture.GateAsync(PermissionMode.Ask, hooks: hooks);

        var verdict = await gate.DecideAsync(fixture.Shell("make test"));

        Assert.True(verdict.Allowed);
        Assert.Equal((1, 1), (hooks.Asked, hooks.Notified));
        Assert.Single(fixture.Requests);
    }

    private sealed class FakeHooks(HookPermissionAnswer? answer) : IPermissionHooks
    {
        public int Asked;
        public int Notified;

        public ValueTask<HookPermissionAnswer?> PermissionRequestAsync(ToolPermissionRequest request, string reason, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref Asked);
            return ValueTask.FromResult(answer);
        }

        public ValueTask NotifyAsync(ToolPermissionRequest request, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref Notified);
            return ValueTask.CompletedTask;
        }
    }
}
