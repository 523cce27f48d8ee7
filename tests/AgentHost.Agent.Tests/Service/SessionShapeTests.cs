using AgentHost.Agent.Engine;
using AgentHost.Agent.Service;
using AgentHost.Permissions;
using AgentHost.Sessions;
using AgentHost.Tests.Service;
using Microsoft.Extensions.AI;

namespace AgentHost.Agent.Tests.Service;

/// <summary>A session's own system prompt and tool subset (the SDK's <see cref="SessionOptions"/>), stored with it and kept when it is reopened.</summary>
public sealed class SessionShapeTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task TheSessionsPromptAndTools_ShapeEveryRequest_AndHoldWhenItIsReopened()
    {
        await using var fx = new ServiceFixture();
        var model = fx.Model("main").Reply("one").Reply("two");
        string id;
        var shaped = fx.Options() with { PermissionMode = PermissionMode.Yolo, SystemPrompt = "You are a release bot.", AppendSystemPrompt = "End with DONE.", Tools = ["ask_user"] };
        await using (var session = await fx.Service.CreateAsync(shaped))
        {
            await session.SendAsync(new TurnRequest("one")).WaitAsync(Guard);
            id = session.Id!;
        }

        await using (var reopened = await fx.Service.OpenAsync(id, new SessionOptions(fx.Root) { PermissionMode = PermissionMode.Yolo }))
        {
            await reopened.SendAsync(new TurnRequest("two")).WaitAsync(Guard);
        }

        foreach (var request in model.Requests)
        {
            var system = request[0];
            Assert.Equal(ChatRole.System, system.Role);
            Assert.StartsWith("You are a release bot.", system.Text, StringComparison.Ordinal);
            Assert.DoesNotContain(SystemPromptBuilder.BaseInstructions[..40], system.Text, StringComparison.Ordinal);
            Assert.EndsWith("End with DONE.", system.Text, StringComparison.Ordinal);
        }

        Assert.All(model.OfferedTools, offered => Assert.Equal(["ask_user"], offered)); // not skill, tool_search (nor write_note behind it)
        var stored = await fx.Store.GetSettingsAsync(id);
        Assert.Equal(("You are a release bot.", "End with DONE.", "ask_user"), (stored[SessionSettings.SystemPrompt], stored[SessionSettings.AppendSystemPrompt], stored[SessionSettings.Tools]));
    }

    [Fact]
    public async Task WithoutThem_TheBuiltInInstructionsAndEveryToolAreSent()
    {
        await using var fx = new ServiceFixture();
        var model = fx.Model("main").Reply("one");
        await using var session = await fx.Service.CreateAsync(fx.Options() with { PermissionMode = PermissionMode.Yolo });

        await session.SendAsync(new TurnRequest("one")).WaitAsync(Guard);

        Assert.StartsWith(SystemPromptBuilder.BaseInstructions[..40], model.Requests[0][0].Text, StringComparison.Ordinal);
        Assert.Contains("skill", model.OfferedTools[0]);
        Assert.Contains("tool_search", model.OfferedTools[0]);
    }
}
