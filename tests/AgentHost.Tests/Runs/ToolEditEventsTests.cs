using System.Text.Json;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Runs;

/// <summary>
/// Issue #47 ("edits shown"), through the real <c>agent run</c>: a write tool's <c>tool.completed</c> event, its text
/// line and its stored tool event carry the files the call changed and a diff summary; other calls carry none.
/// </summary>
[Trait("Speed", "Slow")]
public sealed class ToolEditEventsTests : IDisposable
{
    private readonly RunWorkspace _ws = new();

    [Fact]
    public async Task WriteAndEdit_CarryTheFilesAndTheDiffSummary_InEventsTextAndHistory()
    {
        File.WriteAllText(Path.Combine(_ws.Root, "keep.txt"), "one\ntwo\nthree\n");
        var script = _ws.WriteScript("""
            turns:
              - tool_calls: [{ name: write, arguments: { path: notes.txt, content: "first\nsecond\n" } }]
              - tool_calls: [{ name: view, arguments: { path: keep.txt } }]
              - tool_calls: [{ name: edit, arguments: { path: keep.txt, old_string: "two\nthree", new_string: "2" } }]
              - text: Done.
            """);

        var json = await _ws.RunAsync("run", "edit", "-p", "scripted", "-p", "files", "-m", "scripted/" + script, "--permission-mode", "accept-edits", "-o", "json");

        Assert.True(json.ExitCode == 0, json.Error);
        var completed = RunWorkspace.Events(json.Output).Where(e => e.GetProperty("type").GetString() == "tool.completed").ToList();
        Assert.Equal(["write", "view", "edit"], completed.Select(e => e.GetProperty("tool").GetString()));
        Assert.Equal(["notes.txt"], completed[0].GetProperty("files").EnumerateArray().Select(f => f.GetString()));
        Assert.Equal("+2 -0", completed[0].GetProperty("diffSummary").GetString());
        Assert.Empty(completed[1].GetProperty("files").EnumerateArray()); // a read changes nothing
        Assert.False(completed[1].TryGetProperty("diffSummary", out _));
        Assert.Equal(["keep.txt"], completed[2].GetProperty("files").EnumerateArray().Select(f => f.GetString()));
        Assert.Equal("+1 -2", completed[2].GetProperty("diffSummary").GetString());

        var sessionId = completed[0].GetProperty("sessionId").GetString()!;
        var history = await _ws.RunAsync("session", "history", sessionId, "--kind", "tools", "--json");
        Assert.True(history.ExitCode == 0, history.Error);
        using var stored = JsonDocument.Parse(history.Output);
        var summaries = Descendants(stored.RootElement).Where(p => p.Name == "diffSummary" && p.Value.ValueKind == JsonValueKind.String).Select(p => p.Value.GetString()).ToList();
        Assert.Equal(["+2 -0", "+1 -2"], summaries);

        File.WriteAllText(Path.Combine(_ws.Root, "keep.txt"), "one\ntwo\nthree\n");
        File.Delete(Path.Combine(_ws.Root, "notes.txt"));
        var text = await _ws.RunAsync("run", "edit", "-p", "scripted", "-p", "files", "-m", "scripted/" + script, "--permission-mode", "accept-edits");

        Assert.True(text.ExitCode == 0, text.Error);
        Assert.Matches(@"✓ write \(\d+ ms\): .* · notes\.txt \+2 -0", text.Error);
        Assert.Matches(@"✓ edit \(\d+ ms\): .* · keep\.txt \+1 -2", text.Error);
        Assert.DoesNotMatch(@"✓ view .* · keep\.txt", text.Error);
    }

    public void Dispose() => _ws.Dispose();

    private static IEnumerable<JsonProperty> Descendants(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().SelectMany(p => (IEnumerable<JsonProperty>)[p, .. Descendants(p.Value)]),
        JsonValueKind.Array => element.EnumerateArray().SelectMany(Descendants),
        _ => [],
    };
}
