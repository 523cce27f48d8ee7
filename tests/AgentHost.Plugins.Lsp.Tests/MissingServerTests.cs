using AgentHost.Hosting.Plugins;
using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Events;
using AgentHost.Tests.Lsp;
using AgentHost.Tests.Support;

namespace AgentHost.Plugins.Lsp.Tests;

/// <summary>terraform-ls cannot be installed here: its manifest is validated and its start path runs with the binary absent.</summary>
public sealed class MissingServerTests
{
    private static readonly Dictionary<string, string> NoSearchPath = new() { ["path"] = "/nonexistent-lsp-bin" };

    [Fact]
    public async Task TerraformManifest_DeclaresTheServer_WithRestartPolicyAndInstallHint()
    {
        await using var harness = new PluginHarness();
        var result = await harness.LoadAsync(Catalog.PathOf("terraform-ls"));

        Assert.True(result.Status == PluginLoadStatus.Loaded, result.Error);
        var server = (LspServerCapability)harness.Registry.Find(CapabilityKind.LspServer, "terraform-ls")!.Capability;
        Assert.Equal("terraform-ls", server.Command);
        Assert.Equal(["serve"], server.Args);
        Assert.Equal([".tf", ".tfvars", ".hcl"], server.FileExtensions);
        Assert.Equal([".terraform", "*.tf"], server.RootMarkers);
        Assert.Equal(LspRestartPolicy.OnCrash, server.Restart);
        Assert.Equal(3, server.MaxRestarts);
        Assert.Contains("github.com/hashicorp/terraform-ls/releases", server.InstallHint, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Manifest_WithAnUnknownRestartPolicy_FailsNamingTheField()
    {
        using var temp = new TempDirectory();
        temp.WriteFile("p/plugin.yaml", "id: p\nversion: 1.0.0\nsdk: \"^1.0\"\nlsp:\n  - name: x\n    command: x-ls\n    restart: always\n");
        await using var harness = new PluginHarness();

        var result = await harness.LoadAsync(temp.Combine("p"));

        Assert.Equal(PluginLoadStatus.Failed, result.Status);
        Assert.Contains("lsp[0].restart", result.Error, StringComparison.Ordinal);
        Assert.Contains("'on-crash' (the default) or 'never'", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingBinary_GivesTheInstallHint_FromTheToolAndOnceAfterEdits_WithoutFailingTheEdit()
    {
        await using var lsp = await LspHarness.StartAsync(NoSearchPath, "terraform-ls");
        lsp.Write("main.tf", "resource \"null_resource\" \"a\" {}\n");
        var withoutPath = Environment.GetEnvironmentVariable("PATH");

        var error = await Assert.ThrowsAnyAsync<Exception>(() => lsp.RunAsync("lsp_diagnostics", ("path", "main.tf")));
        var first = await lsp.RunAsync("write", ("path", "main.tf"), ("content", "variable \"x\" {}\n"));
        var second = await lsp.RunAsync("write", ("path", "main.tf"), ("content", "variable \"y\" {}\n"));
        var failed = await lsp.WaitForAsync<LspServerStateChangedEvent>(e => e is { Server: "terraform-ls", State: LspServerState.Failed });

        Assert.Contains("'terraform-ls' was not found on PATH", error.Message, StringComparison.Ordinal);
        Assert.Contains("github.com/hashicorp/terraform-ls/releases", error.Message, StringComparison.Ordinal);
        Assert.StartsWith("Overwrote", first, StringComparison.Ordinal);
        Assert.Contains("LSP: language server 'terraform-ls' is not available", first, StringComparison.Ordinal);
        Assert.DoesNotContain("LSP:", second, StringComparison.Ordinal);
        Assert.Equal("variable \"y\" {}\n", File.ReadAllText(lsp.Temp.Combine("ws", "main.tf")));
        Assert.Contains("Install it from", failed.Detail, StringComparison.Ordinal);
        Assert.NotNull(withoutPath);
    }

    [Fact]
    public async Task ServerPrintingNonProtocolOutput_FailsToStart_WithThatOutputInTheMessage()
    {
        await using var lsp = await LspHarness.StartAsync(new Dictionary<string, string>
        {
            ["servers.chatty.command"] = OperatingSystem.IsWindows() ? "cmd" : "sh",
            ["servers.chatty.args.0"] = OperatingSystem.IsWindows() ? "/c" : "-c",
            ["servers.chatty.args.1"] = OperatingSystem.IsWindows() ? "echo Listening on port 4000& exit 3" : "echo 'Listening on port 4000'; exit 3",
            ["servers.chatty.extensions.0"] = ".chat",
        });
        lsp.Write("a.chat", "hello\n");

        var error = await Assert.ThrowsAnyAsync<Exception>(() => lsp.RunAsync("lsp_diagnostics", ("path", "a.chat")));

        Assert.Contains("language server 'chatty' failed to start", error.Message, StringComparison.Ordinal);
        Assert.Contains("non-protocol output on stdout: 'Listening on port 4000'", error.Message, StringComparison.Ordinal);
    }
}
