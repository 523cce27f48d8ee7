using AgentHost.Tests.Lsp;
using AgentHost.Tests.Processes;
using AgentHost.Tests.Support;

namespace AgentHost.Plugins.Lsp.Tests;

/// <summary>
/// What the bridge's own JSON-RPC layer does on a server's stdout that StreamJsonRpc's header handler does not
/// (the reasons recorded in docs/decisions/0011-lsp-own-json-rpc.md): it skips non-protocol lines and
/// goes on, it bounds header lines and bodies instead of buffering whatever a broken server writes, and it names the
/// cause when a server breaks the protocol (StreamJsonRpc reports a lost connection without it).
/// </summary>
public sealed class FramingTests
{
    [LspShellFact]
    public async Task ServerPrintingABannerBeforeTheProtocol_StillServes()
    {
        var settings = Shell("banner", "echo 'yaml server 1.0 starting'; exec yaml-language-server --stdio", ".yml");
        settings["servers.banner.settings.yaml.schemaStore.enable"] = "false";
        await using var lsp = await LspHarness.StartAsync(settings);
        lsp.Write("a.yml", "name: [1\n");

        var result = await lsp.RunAsync("lsp_diagnostics", ("path", "a.yml"));

        Assert.Contains("LSP (banner): 1 error", result, StringComparison.Ordinal);
    }

    [UnixFact]
    public async Task ServerSendingAnOversizedMessage_FailsToStart_NamingTheSizeAndTheLimit()
    {
        await using var lsp = await LspHarness.StartAsync(Shell("huge", @"printf 'Content-Length: 1500000000\r\n\r\n'; exit 3", ".huge"));
        lsp.Write("a.huge", "x\n");

        var error = await Assert.ThrowsAnyAsync<Exception>(() => lsp.RunAsync("lsp_diagnostics", ("path", "a.huge")));

        Assert.Contains("language server 'huge' failed to start", error.Message, StringComparison.Ordinal);
        Assert.Contains("the server sent a 1500000000-byte message; the limit is 67108864 bytes", error.Message, StringComparison.Ordinal);
    }

    [UnixFact]
    public async Task ServerSendingInvalidJson_FailsToStart_WithTheParserMessage()
    {
        await using var lsp = await LspHarness.StartAsync(Shell("broken", @"printf 'Content-Length: 20\r\n\r\n{not json at all!!!}'; exit 3", ".brk"));
        lsp.Write("a.brk", "x\n");

        var error = await Assert.ThrowsAnyAsync<Exception>(() => lsp.RunAsync("lsp_diagnostics", ("path", "a.brk")));

        Assert.Contains("language server 'broken' failed to start", error.Message, StringComparison.Ordinal);
        Assert.Contains("the server sent a message that is not valid JSON", error.Message, StringComparison.Ordinal);
    }

    [UnixFact]
    public async Task ServerWritingALineWithoutBreaks_FailsToStart_AtTheHeaderLimit()
    {
        await using var lsp = await LspHarness.StartAsync(Shell("garbage", @"head -c 100000 /dev/zero | tr '\0' x; exit 3", ".garbage"));
        lsp.Write("a.garbage", "x\n");

        var error = await Assert.ThrowsAnyAsync<Exception>(() => lsp.RunAsync("lsp_diagnostics", ("path", "a.garbage")));

        Assert.Contains("language server 'garbage' failed to start", error.Message, StringComparison.Ordinal);
        Assert.Contains("a line over 8192 bytes without a line break where a header was expected", error.Message, StringComparison.Ordinal);
    }

    private static Dictionary<string, string> Shell(string name, string script, string extension) => new()
    {
        [$"servers.{name}.command"] = "sh",
        [$"servers.{name}.args.0"] = "-c",
        [$"servers.{name}.args.1"] = script,
        [$"servers.{name}.extensions.0"] = extension,
        [$"servers.{name}.restart"] = "never",
    };
}

/// <summary>A fact that runs an npm-installed server behind a POSIX shell; skipped with the reason otherwise.</summary>
public sealed class LspShellFactAttribute : FactAttribute
{
    public LspShellFactAttribute()
    {
        if (OperatingSystem.IsWindows())
        {
            Skip = "the server is started through a POSIX shell script";
        }
        else if (LspServers.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}
