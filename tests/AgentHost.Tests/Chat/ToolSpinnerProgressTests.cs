using AgentHost.Cli.Chat;
using AgentHost.Cli.Interaction;
using AgentHost.Hosting.Events;
using AgentHost.Sdk.Events;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentHost.Tests.Chat;

/// <summary>The chat's status line shows a running call's last progress (an MCP server's notifications/progress).</summary>
public sealed class ToolSpinnerProgressTests
{
    [Fact]
    public async Task TheStatusLine_ShowsTheCallsLastProgress()
    {
        var terminal = new StringWriter();
        var live = new LiveArea(new TerminalWriter(terminal), () => 120);
        await using var events = new EventBus(NullLogger<EventBus>.Instance, capacity: 100);
        await using var spinner = new ToolSpinner(live, events);

        events.Publish(new ToolCallStartedEvent("s", 1, "c1", "mcp__srv__index", "mcp", "{}"));
        events.Publish(new ToolCallProgressEvent("s", 1, "c1", "mcp__srv__index", "3/10 files", 0.3));
        await events.DrainAsync();

        Assert.Contains("mcp__srv__index · 3/10 files · ", terminal.ToString(), StringComparison.Ordinal);
    }
}
