using System.Text.Json;
using AgentHost.Tests.Lsp;
using AgentHost.Tests.Support;

namespace AgentHost.Plugins.Lsp.Tests;

/// <summary><c>agent lsp status</c>, the bridge loading with a manifest-only language plugin, and <c>agent doctor</c>.</summary>
public sealed class LspCommandTests
{
    [Fact]
    public async Task Status_ListsPluginAndConfiguredServers_WithCommand_AndTheInstallHintWhenMissing()
    {
        using var temp = new TempDirectory();
        temp.WriteFile("proj/.agent/config.yaml", "lsp:\n  servers:\n    pyright:\n      command: no-such-pyright-ls\n      args: [--stdio]\n      extensions: [.py]\n");
        var env = TestEnvironment.Create(temp.Path, temp.Combine("proj"), new Dictionary<string, string> { ["PATH"] = temp.Path });
        var untrusted = await CliRunner.RunAsync(env, "lsp", "status", "--plugin", "terraform-ls");
        Assert.Equal(ExitCodes.Success, (await CliRunner.RunAsync(env, "trust")).ExitCode); // The bridge runs a project's lsp.servers only once it is trusted.

        var table = await CliRunner.RunAsync(env, "lsp", "status", "--plugin", "terraform-ls");
        var json = await CliRunner.RunAsync(env, "lsp", "status", "--plugin", "terraform-ls", "--json");

        Assert.Equal(ExitCodes.Success, table.ExitCode);
        Assert.Matches(@"terraform-ls\s+terraform-ls\s+terraform-ls serve\s+\.tf \.tfvars \.hcl\s+missing", table.Output);
        Assert.Matches(@"pyright\s+config\s+no-such-pyright-ls --stdio\s+\.py\s+missing", table.Output);
        Assert.Contains("terraform-ls: terraform-ls is not on PATH. Install it from https://github.com/hashicorp/terraform-ls/releases", table.Output, StringComparison.Ordinal);
        var terraform = JsonDocument.Parse(json.Output).RootElement.EnumerateArray().Single(s => s.GetProperty("name").GetString() == "terraform-ls");
        Assert.False(terraform.GetProperty("found").GetBoolean());
        Assert.Equal("missing", terraform.GetProperty("state").GetString());
        Assert.Contains("brew install hashicorp/tap/terraform-ls", terraform.GetProperty("install").GetString(), StringComparison.Ordinal);
        Assert.Matches(@"pyright\s+config\s+no-such-pyright-ls\s+ignored", untrusted.Output);
        Assert.Contains("pyright: lsp.servers.pyright is in the project's configuration, which is ignored until you trust the project ('agent trust').", untrusted.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ToolList_WithAManifestOnlyLanguagePlugin_LoadsTheBridgeAndItsTools()
    {
        using var temp = new TempDirectory();
        var env = TestEnvironment.Create(temp.Path, temp.Path);

        var withLanguage = await CliRunner.RunAsync(env, "tool", "list", "--plugin", "terraform-ls");
        var without = await CliRunner.RunAsync(env, "tool", "list", "--plugin", "files");

        Assert.Matches(@"lsp_diagnostics\s+lsp\s+read", withLanguage.Output);
        Assert.Matches(@"lsp_rename\s+lsp\s+write", withLanguage.Output);
        Assert.DoesNotContain("lsp_", without.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_ReportsAMissingLanguageServer_WithItsInstallHint()
    {
        using var temp = new TempDirectory();
        temp.WriteFile("proj/.agent/config.yaml", "lsp:\n  servers:\n    pyright:\n      command: no-such-pyright-ls\n      extensions: [.py]\n");
        var env = TestEnvironment.Create(temp.Path, temp.Combine("proj"), new Dictionary<string, string> { ["PATH"] = Environment.GetEnvironmentVariable("PATH") ?? string.Empty });
        Assert.Equal(ExitCodes.Success, (await CliRunner.RunAsync(env, "plugin", "install", "terraform-ls", "--yes")).ExitCode);

        var result = await CliRunner.RunAsync(env, "doctor");

        Assert.Contains("WARN lsp terraform-ls/terraform-ls: 'terraform-ls' is not on PATH — fix: terraform-ls is not on PATH. Install it from", result.Output, StringComparison.Ordinal);
        Assert.Contains("WARN lsp config/pyright: 'no-such-pyright-ls' is not on PATH — fix: Install no-such-pyright-ls", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_ShowsAPartialOverrideOnThePluginServer_AnUnknownKey_AndAnEntryThatDefinesNothing()
    {
        using var temp = new TempDirectory();
        temp.WriteFile("agent-home/config.yaml", "lsp:\n  servers:\n    typescript:\n      args: [--stdio, --log-level, '4']\n    pyright:\n      comand: pyright-langserver\n      extensions: [.py]\n");
        var env = TestEnvironment.Create(temp.Path, temp.Path);

        var table = await CliRunner.RunAsync(env, "lsp", "status", "--plugin", "typescript");
        var json = await CliRunner.RunAsync(env, "lsp", "status", "--plugin", "typescript", "--json");

        Assert.Equal(ExitCodes.Success, table.ExitCode);
        Assert.Matches(@"typescript\s+typescript\+config\s+typescript-language-server --stdio --log-level 4\s+\.ts \.tsx", table.Output);
        Assert.Matches(@"pyright\s+config\s+invalid", table.Output);
        Assert.Contains("pyright: lsp.servers.pyright.comand: unknown key (ignored); did you mean 'command'?", table.Output, StringComparison.Ordinal);
        Assert.Contains("pyright: lsp.servers.pyright.command: required — no loaded plugin defines a server named 'pyright'", table.Output, StringComparison.Ordinal);
        var rows = JsonDocument.Parse(json.Output).RootElement.EnumerateArray().ToList();
        var typescript = rows.Single(r => r.GetProperty("name").GetString() == "typescript");
        Assert.Equal([".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs"], typescript.GetProperty("extensions").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("invalid", rows.Single(r => r.GetProperty("name").GetString() == "pyright").GetProperty("state").GetString());
    }

    [RequiresProgramFact("node")]
    public async Task StatusCheck_ShowsAServerThatFailsToStart_WithWhyAndTheFix()
    {
        using var temp = new TempDirectory();
        temp.WriteFile("agent-home/config.yaml", "lsp:\n  servers:\n    chatty:\n      command: node\n      args: [-e, \"console.log('hello from chatty')\"]\n      extensions: [.chat]\n      restart: never\n");
        var env = TestEnvironment.Create(temp.Path, temp.Path);

        var quiet = await CliRunner.RunAsync(env, "lsp", "status");
        var result = await CliRunner.RunAsync(env, "lsp", "status", "--check");

        Assert.Matches(@"chatty\s+config\s+node -e console\.log\('hello from chatty'\)\s+\.chat\s+not started", quiet.Output);
        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Matches(@"chatty\s+config\s+.*\s+failed", result.Output);
        Assert.Contains("chatty: language server 'chatty' failed to start", result.Output, StringComparison.Ordinal);
        Assert.Contains("hello from chatty", result.Output, StringComparison.Ordinal);
        Assert.Contains("chatty: fix: Run 'node -e console.log('hello from chatty')' in a terminal to see its error.", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ToolList_WithAServerOnlyInTheConfiguration_LoadsTheBridge_WithoutPluginLsp()
    {
        using var temp = new TempDirectory();
        temp.WriteFile("agent-home/config.yaml", "lsp:\n  servers:\n    pyright:\n      command: pyright-langserver\n      args: [--stdio]\n      extensions: [.py]\n");
        var env = TestEnvironment.Create(temp.Path, temp.Path);

        var result = await CliRunner.RunAsync(env, "tool", "list");

        Assert.Matches(@"lsp_diagnostics\s+lsp\s+read", result.Output);
        Assert.Matches(@"lsp_status\s+lsp\s+read", result.Output);
    }

    [RequiresProgramFact("node")]
    public async Task StartWithoutServer_RunsTheHandshakeHere_AndSaysWhereServersLive_StopHasNothingToStop()
    {
        using var temp = new TempDirectory();
        temp.WriteFile("agent-home/config.yaml", "lsp:\n  servers:\n    fixture:\n      command: node\n      args: [" + JsonSerializer.Serialize(LspServers.Fixture("settling-server.mjs")) + "]\n      extensions: [.fx]\n"
            + "    ghost:\n      command: no-such-language-server\n      extensions: [.gh]\n      install: \"Install it with 'npm install -g ghost-ls'.\"\n");
        var env = TestEnvironment.Create(temp.Path, temp.Path);

        var start = await CliRunner.RunAsync(env, "lsp", "start", "fixture");
        var stop = await CliRunner.RunAsync(env, "lsp", "stop", "fixture");
        var missing = await CliRunner.RunAsync(env, "lsp", "restart", "ghost");
        var unknown = await CliRunner.RunAsync(env, "lsp", "start", "nope");

        Assert.Equal(ExitCodes.Success, start.ExitCode);
        Assert.Matches(@"started language server 'fixture' \(pid \d+, root .*\): it answered initialize\.", start.Output);
        Assert.Contains("It stops when this command ends (the check is done). Language servers live in the process that runs the agent", start.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Success, stop.ExitCode);
        Assert.Contains("language server 'fixture' is not running in this process; nothing was stopped.", stop.Output, StringComparison.Ordinal);
        Assert.Contains("--server URL for a running 'agent serve'", stop.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Configuration, missing.ExitCode);
        Assert.Contains("Install it with 'npm install -g ghost-ls'.", missing.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.NotFound, unknown.ExitCode);
        Assert.Contains("no language server named 'nope'; the servers are: fixture, ghost.", unknown.Error, StringComparison.Ordinal);
    }
}
