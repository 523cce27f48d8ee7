using AgentHost.Tests.Support;

namespace AgentHost.Tests.Cli;

public sealed class DoctorCommandTests
{
    [Fact]
    public async Task Doctor_ReportsOneLinePerCheck_WithFixes_AndFailsOnABrokenPlugin()
    {
        using var temp = new TempDirectory();
        var env = TestEnvironment.Create(temp.Path, temp.Path, new Dictionary<string, string> { ["PATH"] = Environment.GetEnvironmentVariable("PATH") ?? string.Empty });
        await PluginListCommandTests.InstallAsync(env, "Fixture.Echo");
        await PluginListCommandTests.InstallAsync(env, "Fixture.Throwing");

        var result = await CliRunner.RunAsync(env, "doctor");

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.Contains("OK   runtime: .NET", result.Output, StringComparison.Ordinal);
        Assert.Contains("OK   git: git version", result.Output, StringComparison.Ordinal);
        Assert.Contains("OK   plugin fixture-echo: 1.2.0 loaded", result.Output, StringComparison.Ordinal);
        Assert.Contains("FAIL plugin fixture-throwing:", result.Output, StringComparison.Ordinal);
        Assert.Contains("fix: Reinstall it", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_WithoutGitOnPath_FailsWithInstallHint_AndProbesProviders()
    {
        using var temp = new TempDirectory();
        using var listener = Ports.StartHttpListener(out var baseUrl);
        var serve = Task.Run(async () =>
        {
            var context = await listener.GetContextAsync();
            context.Response.StatusCode = 404;
            context.Response.Close();
        });
        var deadPort = Ports.Free();
        temp.WriteFile("agent-home/config.yaml", $"""
            providers:
              local:
                type: openai
                base_url: {baseUrl}v1
              gone:
                type: openai
                base_url: http://127.0.0.1:{deadPort}/v1
            """);
        var env = TestEnvironment.Create(temp.Path, temp.Path, new Dictionary<string, string> { ["PATH"] = temp.Combine("empty-bin") });

        var result = await CliRunner.RunAsync(env, "doctor");
        await serve;

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.Contains("FAIL git: git was not found on PATH — fix: Install git", result.Output, StringComparison.Ordinal);
        Assert.Contains($"OK   provider local: {baseUrl}v1 answered HTTP 404", result.Output, StringComparison.Ordinal);
        Assert.Contains("FAIL provider gone:", result.Output, StringComparison.Ordinal);
        Assert.Contains("providers.gone.base_url", result.Output, StringComparison.Ordinal);
    }
}
