using AgentHost.Permissions;
using AgentHost.Permissions.Gate;
using static AgentHost.Tests.Permissions.GateFixture;

namespace AgentHost.Agent.Tests.Permissions;

/// <summary>
/// <c>/approve DURATION</c> (#47): while the window is open, what the mode would ask is allowed without asking and
/// audited with scope <c>approve</c>; a destructive call, an ask rule and what a deny rule denies are untouched, and
/// closing the window asks again. Every request carries its risk. A real session store, bus and broker.
/// </summary>
public sealed class ApprovalWindowTests
{
    [Fact]
    public async Task AnOpenWindow_ApprovesWhatTheModeWouldAsk_ButNotDestructiveCallsAskRulesOrDenials()
    {
        await using var fixture = await CreateAsync();
        fixture.Answer(); // nobody answers: every question is denied, and recorded
        var gate = await fixture.GateAsync(PermissionMode.Ask, ask: ["shell(git push *)"], deny: ["shell(curl *)"]);

        var before = await gate.DecideAsync(fixture.Shell("npm test"));
        var until = gate.ApproveFor(TimeSpan.FromMinutes(10), "test");
        var approved = await gate.DecideAsync(fixture.Shell("npm test"));
        var write = await gate.DecideAsync(fixture.Write("src/a.txt"));
        var destructive = await gate.DecideAsync(fixture.Shell("rm -rf build"));
        var askRule = await gate.DecideAsync(fixture.Shell("git push origin main"));
        var denied = await gate.DecideAsync(fixture.Shell("curl https://example.org"));
        gate.ApproveFor(TimeSpan.Zero, "test");
        var after = await gate.DecideAsync(fixture.Shell("npm test"));

        Assert.False(before.Allowed);
        Assert.NotNull(until);
        Assert.Null(gate.ApprovedUntil);
        Assert.True(approved.Allowed);
        Assert.Equal((SessionPermissionGate.ApprovalScope, "test"), (approved.Scope, approved.AnsweredBy));
        Assert.True(write.Allowed);
        Assert.False(destructive.Allowed);
        Assert.False(askRule.Allowed);
        Assert.False(denied.Allowed);
        Assert.False(after.Allowed);
        // Asked: npm test before the window, rm -rf, git push, npm test after it; never the approved ones or the denied one.
        Assert.Equal(
            [("npm test", PermissionRisk.Execute), ("rm -rf build", PermissionRisk.Destructive), ("git push origin main", PermissionRisk.Execute), ("npm test", PermissionRisk.Execute)],
            fixture.Requests.Select(r => (r.Subject, r.Risk)));
        var audit = await fixture.Store.Audit.GetAuditAsync(fixture.SessionId);
        Assert.Equal(
            [("approve", PermissionRisk.Execute), ("approve", PermissionRisk.Write)],
            audit.Where(a => a.Scope == SessionPermissionGate.ApprovalScope).Select(a => (a.Scope, a.Risk)));
    }
}
