using AgentHost.Agent.Service;
using AgentHost.Permissions;
using AgentHost.Sdk.Capabilities;
using AgentHost.Tests.Service;
using Microsoft.Extensions.AI;

namespace AgentHost.Agent.Tests.Service;

/// <summary>
/// What a session sends is a cacheable prefix (docs/providers.md, "Prompt caching"): one system prompt for every turn,
/// the tools of each request a prefix of the next one's (a loaded deferred tool is appended), and the session id as
/// the cache key of every request, after a reopen too.
/// </summary>
public sealed class SessionPromptPrefixTests
{
    [Fact]
    public async Task EveryRequest_RepeatsTheSystemPrompt_ExtendsTheTools_AndCarriesTheSessionIdAsCacheKey()
    {
        await using var fx = new ServiceFixture();
        var model = fx.Model("main")
            .CallTool("tool_search", new Dictionary<string, object?> { ["query"] = "write_note" })
            .CallTool("write_note", new Dictionary<string, object?> { ["name"] = "a", ["text"] = "hello" })
            .Reply("wrote it")
            .Reply("second turn")
            .Reply("after reopening");
        var options = fx.Options() with { PermissionMode = PermissionMode.Yolo };

        string id;
        await using (var session = await fx.Service.CreateAsync(options))
        {
            await session.SendAsync(new TurnRequest("write a note"));
            await session.SendAsync(new TurnRequest("and again"));
            id = session.Id!;
        }

        await using (var reopened = await fx.Service.OpenAsync(id, options))
        {
            await reopened.SendAsync(new TurnRequest("after reopening"));
        }

        Assert.Equal("hello", await File.ReadAllTextAsync(Path.Combine(fx.Root, "notes", "a.txt")));
        Assert.Equal(5, model.Requests.Count);
        var system = model.Requests[0][0];
        Assert.Equal(ChatRole.System, system.Role);
        Assert.Contains("<deferred_tools>", system.Text, StringComparison.Ordinal);
        Assert.Contains("\n- write_note: Writes a note.\n", system.Text, StringComparison.Ordinal);
        Assert.All(model.Requests, request => Assert.Equal(system.Text, request[0].Text));

        Assert.Equal(["ask_user", "skill", "tool_search"], model.OfferedTools[0]);
        for (var i = 1; i < model.OfferedTools.Count; i++)
        {
            Assert.Equal(model.OfferedTools[i - 1], model.OfferedTools[i].Take(model.OfferedTools[i - 1].Count));
        }

        Assert.Equal(["ask_user", "skill", "tool_search", "write_note"], model.OfferedTools[^1]); // loaded again from the stored history
        Assert.All(model.Options, o => Assert.Equal(id, o!.AdditionalProperties![ChatProviderCapability.CacheKeyProperty]));
    }
}
