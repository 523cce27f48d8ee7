using AgentHost.Tests.Lsp;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;

namespace AgentHost.Plugins.Lsp.Tests;

/// <summary>
/// End to end, <c>agent run</c> as a process with the scripted provider: a language server defined only in the user's
/// configuration (no language plugin, no <c>--plugin lsp</c>) runs, and the diagnostics appended to an edit are the
/// settled ones even though the server first publishes a stale empty list.
/// </summary>
public sealed class LspRunTests
{
    [RequiresProgramFact("node")]
    public async Task Run_WithAServerOnlyInTheConfiguration_AppendsTheSettledErrorToTheEdit()
    {
        using var ws = new RunWorkspace();
        var server = LspServers.Fixture("settling-server.mjs").Replace("'", "''", StringComparison.Ordinal);
        ws.WriteUserConfig($"permissions:\n  allow:\n    - write(**)\nlsp:\n  servers:\n    fixture:\n      command: node\n      args: ['{server}', --stale-first]\n      extensions: [.fx]\n");
        var script = ws.WriteScript("""
            turns:
              - tool_calls: [{ name: write, arguments: { path: a.fx, content: "fine\nso bad\n" } }]
              - expect:
                  tool_results_contain: ["LSP (fixture): 1 error, 0 warnings in a.fx", "error a.fx:2:4 'bad' is not allowed here."]
                text: Found it.
            """);

        var result = await ws.RunAsync("run", "write a.fx", "-p", "scripted", "-p", "files", "-m", "scripted/" + script, "-o", "json");

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error + result.Output);
        Assert.Equal("completed", RunWorkspace.Events(result.Output)[^1].GetProperty("outcome").GetString());
    }

    /// <summary>
    /// <c>language_ids</c> written as docs/lsp.md writes it, keyed by the extension with its dot (<c>.fx: fixturelang</c>),
    /// is accepted in <c>config.yaml</c> and reaches the server: the document is opened with that language id.
    /// </summary>
    [RequiresProgramFact("node")]
    public async Task Run_WithLanguageIdsKeyedByDottedExtensions_OpensTheDocumentWithThatLanguageId()
    {
        using var ws = new RunWorkspace();
        var server = LspServers.Fixture("settling-server.mjs").Replace("'", "''", StringComparison.Ordinal);
        ws.WriteUserConfig($"permissions:\n  allow:\n    - write(**)\nlsp:\n  servers:\n    fixture:\n      command: node\n      args: ['{server}', --say-language]\n"
            + "      extensions: [.fx, .fy]\n      language_ids: { .fx: fixturelang, fy: otherlang }\n");
        var script = ws.WriteScript("""
            turns:
              - tool_calls: [{ name: write, arguments: { path: a.fx, content: "so bad\n" } }]
              - expect:
                  tool_results_contain: ["'bad' is not allowed here (languageId fixturelang)."]
                tool_calls: [{ name: write, arguments: { path: b.fy, content: "so bad\n" } }]
              - expect:
                  tool_results_contain: ["'bad' is not allowed here (languageId otherlang)."]
                text: Both.
            """);

        var validate = await ws.RunAsync("config", "validate");
        var result = await ws.RunAsync("run", "write two files", "-p", "scripted", "-p", "files", "-m", "scripted/" + script, "-o", "json");

        Assert.True(validate.ExitCode == ExitCodes.Success, validate.Error + validate.Output);
        Assert.True(result.ExitCode == ExitCodes.Success, result.Error + result.Output);
        Assert.Equal("completed", RunWorkspace.Events(result.Output)[^1].GetProperty("outcome").GetString());
    }
}
