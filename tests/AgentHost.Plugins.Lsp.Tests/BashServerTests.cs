using AgentHost.Tests.Lsp;

namespace AgentHost.Plugins.Lsp.Tests;

/// <summary>The real bash-language-server (it needs bash on PATH) behind the bridge.</summary>
public sealed class BashServerTests
{
    [LspFact]
    public async Task Symbols_AndDefinition_InAShellScript()
    {
        await using var lsp = await LspHarness.StartAsync(null, "bash");
        lsp.Write("deploy.sh", "#!/usr/bin/env bash\ngreet() {\n  echo \"hello $1\"\n}\n\ngreet world\n");

        var outline = await lsp.RunAsync("lsp_symbols", ("path", "deploy.sh"));
        var definition = await lsp.RunAsync("lsp_definition", ("path", "deploy.sh"), ("line", 6), ("symbol", "greet"));

        Assert.Contains("function greet (2:1)", outline, StringComparison.Ordinal);
        Assert.Contains("deploy.sh:2:1: greet() {", definition, StringComparison.Ordinal);
    }
}
