using System.Text.Json;
using AgentHost.Agent.Engine;
using AgentHost.Agent.Tools;
using AgentHost.Hosting.Security;
using AgentHost.Permissions;
using AgentHost.Permissions.Gate;
using AgentHost.Permissions.Rules;
using AgentHost.Sdk.Events;
using AgentHost.Sdk.Tools;
using Microsoft.Extensions.AI;

namespace AgentHost.Plugins.Web.Tests;

/// <summary>The web tools behind the kernel's tool pipeline and rule gate: calls are decided as fetches of their URL's domain.</summary>
public sealed class WebPermissionTests
{
    [Fact]
    public async Task DomainRules_DecideFetches_ByTheUrlsCanonicalHost()
    {
        await using var web = await WebPluginFixture.LoadAsync(WebPluginFixture.AllowLoopbackServer);
        web.Server.Page("page", "<article><p>A page the allow rule lets the agent read, long enough to count.</p></article>");
        var port = new Uri(web.Server.Root).Port;
        var home = web.Temp.Combine("home");
        Directory.CreateDirectory(home);
        var gate = new RulePermissionGate(
            PermissionPolicy.FromText(allow: ["fetch(domain:127.0.0.1)"], deny: ["fetch(domain:*.example.com)"]), PermissionMode.DontAsk, web.Root, home);
        using var pipeline = new ToolPipeline(web.Harness.Registry, web.Harness.Bus, gate, SecretScrubber.PatternsOnly, TimeProvider.System);
        var context = new ToolCallContext("s-1", "call-1") { WorkspaceRoot = web.Root };

        // The decimal form of 127.0.0.1 is matched as 127.0.0.1; the plugin then applies its own address rules.
        var allowed = await pipeline.InvokeAsync("fetch", JsonSerializer.Serialize(new { url = $"http://2130706433:{port}/page" }), context);
        var denied = await pipeline.InvokeAsync("fetch", JsonSerializer.Serialize(new { url = "https://api.example.com/" }), context with { CallId = "call-2" });
        var unlisted = await pipeline.InvokeAsync("fetch", JsonSerializer.Serialize(new { url = "https://example.org/" }), context with { CallId = "call-3" });

        Assert.Equal(ToolCallStatus.Succeeded, allowed.Status);
        Assert.Contains("A page the allow rule lets the agent read", allowed.Text, StringComparison.Ordinal);
        Assert.Equal(ToolCallStatus.Denied, denied.Status);
        Assert.Contains("fetch(domain:*.example.com)", denied.Text, StringComparison.Ordinal);
        Assert.Equal(ToolCallStatus.Denied, unlisted.Status);
        Assert.Single(web.Server.Requests);
    }

    [Fact]
    public async Task FailingFetch_IsAnErrorResultForTheModel()
    {
        await using var web = await WebPluginFixture.LoadAsync();
        var gate = new RulePermissionGate(PermissionPolicy.FromText(allow: ["fetch"]), PermissionMode.DontAsk, web.Root, web.Temp.Path);
        using var pipeline = new ToolPipeline(web.Harness.Registry, web.Harness.Bus, gate, SecretScrubber.PatternsOnly, TimeProvider.System);

        var outcome = await pipeline.InvokeAsync("fetch", JsonSerializer.Serialize(new { url = "http://169.254.169.254/latest/meta-data/" }), new ToolCallContext("s-1", "call-1") { WorkspaceRoot = web.Root });

        Assert.Equal(ToolCallStatus.Failed, outcome.Status);
        Assert.Contains("refused url http://169.254.169.254/latest/meta-data/: 169.254.169.254 is a link-local address", outcome.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Effects_AndCallDescriptions_SayWhatEachToolDoes()
    {
        await using var web = await WebPluginFixture.LoadAsync();
        var fetch = web.Tool("fetch").Metadata;
        var download = web.Tool("download").Metadata;

        var fetchCall = fetch.DescribeCall!(new AIFunctionArguments { ["url"] = "http://0x7f.1:8080/a b", ["format"] = "text" });
        var downloadCall = download.DescribeCall!(new AIFunctionArguments { ["url"] = "https://Example.COM/file.zip", ["path"] = "out/file.zip", ["overwrite"] = true });

        Assert.Equal(ToolEffect.Network, fetch.Effect);
        Assert.Equal(ToolEffect.Network | ToolEffect.Write, download.Effect);
        Assert.Equal(new ToolCallDescription("fetch", "http://127.0.0.1:8080/a%20b") { Details = "format: text" }, fetchCall);
        Assert.Equal("download", downloadCall.Action);
        Assert.Equal("https://example.com/file.zip", downloadCall.Subject);
        Assert.Equal("saves to out/file.zip, replacing an existing file", downloadCall.Details);
    }
}
