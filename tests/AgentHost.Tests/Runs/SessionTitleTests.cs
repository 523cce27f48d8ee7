using System.Text.Json;

namespace AgentHost.Tests.Runs;

public sealed class SessionTitleTests
{
    [Fact]
    public async Task SmallModel_TitlesANewSession_AndAFailingOneKeepsThePromptTitle()
    {
        using var ws = new RunWorkspace();
        var main = ws.WriteScript("turns:\n  - text: done\n");
        var titles = ws.WriteScript("turns:\n  - expect: { system_contains: short title }\n    text: '\"Quickstart project overview.\"'\n");
        var broken = ws.WriteScript("turns:\n  - error: small model offline\n");

        var titled = await ws.RunAsync("run", "please summarise everything in this repository for me", "-p", "scripted", "-m", "scripted/" + main, "-c", "small_model=scripted/" + titles, "-o", "json");
        var untitled = await ws.RunAsync("run", "second task", "-p", "scripted", "-m", "scripted/" + main, "-c", "small_model=scripted/" + broken, "-o", "json");
        var list = await ws.RunAsync("session", "list", "--json");

        Assert.True(titled.ExitCode == ExitCodes.Success, titled.Error);
        Assert.True(untitled.ExitCode == ExitCodes.Success, untitled.Error);
        Assert.Contains("could not title the session", untitled.Output, StringComparison.Ordinal);
        var sessionTitles = JsonDocument.Parse(list.Output).RootElement.EnumerateArray().Select(s => s.GetProperty("title").GetString()).ToList();
        Assert.Contains("Quickstart project overview", sessionTitles);
        Assert.Contains("second task", sessionTitles);
    }
}
