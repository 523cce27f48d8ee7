using System.Text.Json;
using System.Text.RegularExpressions;
using AgentHost.Tests.Lsp;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Chat;

/// <summary>
/// The chat's <c>/lsp</c> through the real <c>agent</c> in tmux: it starts, restarts and stops a real language server
/// (the node fixture of tests/lsp-servers/fixtures) in the chat's own process and shows its state.
/// </summary>
[Trait("Speed", "Slow")]
public sealed class ChatLspTerminalTests : IDisposable
{
    private readonly RunWorkspace _ws = new();

    public void Dispose() => _ws.Dispose();

    [TmuxNodeFact]
    public async Task Lsp_StartsRestartsAndStopsTheChatsOwnServer_AndShowsItsState()
    {
        _ws.WriteUserConfig($"lsp:\n  servers:\n    fixture:\n      command: node\n      args: [{JsonSerializer.Serialize(LspServers.Fixture("settling-server.mjs"))}]\n      extensions: [.fx]\n");
        await using var chat = await TmuxSession.StartAsync(_ws.Root, _ws.Environment, "--no-default-plugins", "-p", "scripted", "-m", "scripted/" + _ws.WriteScript("turns:\n  - text: Hi.\n"));
        await chat.WaitForAsync("/help for commands");

        await chat.LineAsync("/lsp");
        var before = await chat.WaitForMatchAsync(@"  fixture\s+not started");
        await chat.LineAsync("/lsp start fixture");
        var started = await chat.WaitForMatchAsync(@"started language server 'fixture' \(pid (\d+),");
        await chat.LineAsync("/lsp restart fixture");
        var restarted = await chat.WaitForMatchAsync(@"restarted language server 'fixture' \(pid \d+ \S+ \d+\)");
        await chat.LineAsync("/lsp stop fixture");
        await chat.WaitForMatchAsync(@"stopped language server 'fixture' \(pid \d+\)");
        await chat.LineAsync("/lsp");
        var stopped = await chat.WaitForMatchAsync(@"  fixture\s+stopped — language server 'fixture' was stopped on request");
        await chat.LineAsync("/lsp stop nope");
        var unknown = await chat.WaitForAsync("no language server named 'nope'; the servers are: fixture.");
        await chat.KeysAsync("C-d");

        var pid = Regex.Match(started, @"started language server 'fixture' \(pid (\d+),").Groups[1].Value;
        var restart = Regex.Match(restarted, @"restarted language server 'fixture' \(pid (\d+) \S+ (\d+)\)");
        Assert.Equal(pid, restart.Groups[1].Value);
        Assert.NotEqual(pid, restart.Groups[2].Value);
        Assert.Matches(@"  fixture\s+not started", before);
        Assert.Contains("was stopped on request", stopped, StringComparison.Ordinal);
        Assert.Contains("the servers are: fixture.", unknown, StringComparison.Ordinal);
    }
}

/// <summary>A chat test in tmux with the node fixture server: skipped, with the reason, without tmux or node.</summary>
public sealed class TmuxNodeFactAttribute : FactAttribute
{
    public TmuxNodeFactAttribute() => Skip = new TmuxFactAttribute().Skip ?? new RequiresProgramFactAttribute("node").Skip;
}
