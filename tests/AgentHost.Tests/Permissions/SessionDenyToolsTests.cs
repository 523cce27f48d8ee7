using AgentHost.Hosting;
using AgentHost.Permissions;
using AgentHost.Permissions.Rules;
using AgentHost.Sdk.Tools;
using AgentHost.Sessions;

namespace AgentHost.Tests.Permissions;

/// <summary>
/// The session policy's <c>deny_tools</c> (docs/permissions.md "Session policies"): tool names checked when set, a
/// named tool refused in every mode whatever the allow rules say, and a change that drops a name refused.
/// </summary>
public sealed class SessionDenyToolsTests
{
    [Theory]
    [InlineData(PermissionMode.Yolo)]
    [InlineData(PermissionMode.AcceptEdits)]
    [InlineData(PermissionMode.Ask)]
    public void DeniedTool_IsRefused_InEveryMode_WhateverTheAllowRulesSay(PermissionMode mode)
    {
        using var fixture = new PermissionFixture();
        var policy = PermissionPolicy.FromText(["lsp_control", "job_kill"], null, null);
        Assert.Empty(policy.Problems);
        Assert.True(SessionPolicy.TryCreate(null, null, null, null, ["lsp_control", "shell/job_kill"], out var session, out var error), error);
        var engine = fixture.Engine(policy.WithSession(session));

        var control = engine.Decide(new PermissionCall("lsp_control", ToolEffect.Execute, "language server fixture") { Plugin = "lsp", Action = "stop" }, mode);
        var kill = engine.Decide(new PermissionCall("job_kill", ToolEffect.Execute, "job_1") { Plugin = "shell" }, mode);
        var otherKill = engine.Decide(new PermissionCall("job_kill", ToolEffect.Execute, "job_1") { Plugin = "other" }, PermissionMode.Yolo);

        Assert.Equal(Verdict.Deny, control.Verdict);
        Assert.Equal(DecisionBasis.Session, control.Basis);
        Assert.Contains("the tool lsp_control is refused by the session's deny_tools ('lsp_control')", control.Reason, StringComparison.Ordinal);
        Assert.Empty(control.SuggestedRules);
        Assert.Equal(Verdict.Deny, kill.Verdict);
        Assert.Contains("deny_tools ('shell/job_kill')", kill.Reason, StringComparison.Ordinal);
        // A qualified name refuses only that plugin's tool.
        Assert.Equal(Verdict.Allow, otherKill.Verdict);
        Assert.Equal("lsp_control", engine.Policy.DeniedTool("lsp_control", "lsp"));
        Assert.Null(engine.Policy.DeniedTool("lsp_status", "lsp"));
    }

    [Theory]
    [InlineData("lsp control")]
    [InlineData("/lsp_control")]
    [InlineData("lsp/")]
    [InlineData("a/b/c")]
    [InlineData("shell(rm *)")]
    public void TryCreate_RefusesANameThatIsNotAToolName_NamingDenyTools(string name)
    {
        Assert.False(SessionPolicy.TryCreate(null, null, null, null, [name], out _, out var error));
        Assert.StartsWith($"deny_tools: '{name}' is not a tool name; give names such as lsp_control", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Setting_IsStoredTrimmed_ABadNameIsAUsageError_AndDroppingANameWidens()
    {
        Assert.Contains(SessionPolicySettings.DenyTools, SessionSettingValues.Settable);
        Assert.Equal(new KeyValuePair<string, string>("deny_tools", "lsp_control,bash"), SessionSettingValues.Check("session.deny_tools", " lsp_control , bash,lsp_control ", SessionSettingValues.Settable));
        var bad = Assert.Throws<AgentHostException>(() => SessionSettingValues.Check("deny_tools", "lsp control", SessionSettingValues.Settable, "settings."));
        Assert.Equal(ErrorKind.Usage, bad.Kind);
        Assert.StartsWith("settings.deny_tools: 'lsp control' is not a tool name", bad.Message, StringComparison.Ordinal);
        Assert.Equal(["lsp_control", "bash"], SessionPolicySettings.FromSettings(new Dictionary<string, string> { ["deny_tools"] = "lsp_control,bash" }).DenyTools);

        SessionPolicySettings.CheckNarrows("deny_tools", "lsp_control", "lsp_control,bash");
        var dropped = Assert.Throws<AgentHostException>(() => SessionPolicySettings.CheckNarrows("deny_tools", "lsp_control,bash", "bash", "settings."));
        Assert.StartsWith("settings.deny_tools: dropping lsp_control would widen the session's policy", dropped.Message, StringComparison.Ordinal);
        var removed = Assert.Throws<AgentHostException>(() => SessionPolicySettings.CheckNarrows("deny_tools", "lsp_control", null, "settings."));
        Assert.StartsWith("settings.deny_tools: removing it would widen", removed.Message, StringComparison.Ordinal);
    }
}
