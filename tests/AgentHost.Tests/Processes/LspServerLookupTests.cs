using AgentHost.Tests.Lsp;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Processes;

/// <summary>A repository must not be able to ship a "language server" that the LSP bridge runs.</summary>
public sealed class LspServerLookupTests
{
    [UnixTheory("the planted server is a POSIX shell script")]
    [InlineData("node_modules/.bin")]
    [InlineData("")]
    public async Task Bridge_NeverRunsAServerExecutableFromTheProject_EvenWhenItsSearchPathPointsThere(string folder)
    {
        await using var lsp = await LspHarness.StartWithRootAsync(root => new Dictionary<string, string> { ["path"] = Path.Combine(root, folder) }, "terraform-ls");
        var marker = lsp.Temp.Combine("marker.txt");
        var bin = Path.Combine(lsp.Root, folder);
        Directory.CreateDirectory(bin);
        File.WriteAllText(Path.Combine(bin, "terraform-ls"), $"#!/bin/sh\necho ran >> '{marker}'\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(Path.Combine(bin, "terraform-ls"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        lsp.Write("main.tf", "resource \"null_resource\" \"a\" {}\n");

        var error = await Assert.ThrowsAnyAsync<Exception>(() => lsp.RunAsync("lsp_diagnostics", ("path", "main.tf")));

        Assert.Contains("'terraform-ls' was not found on PATH", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(marker), "the planted server ran");
    }
}
