using System.Text.Json;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Cli;

public sealed class ToolCommandTests
{
    [Fact]
    public async Task ToolList_ShowsPluginEffectAndParameters_AndJsonIncludesTheSchema()
    {
        using var temp = new TempDirectory();
        var env = TestEnvironment.Create(temp.Path, temp.Path);

        var table = await CliRunner.RunAsync(env, "tool", "list", "--plugin", "files");
        var json = await CliRunner.RunAsync(env, "tool", "list", "--plugin", "files", "--json");

        Assert.Matches(@"view\s+files\s+read\s+path, offset\?, limit\?", table.Output);
        var view = JsonDocument.Parse(json.Output).RootElement.EnumerateArray().Single(t => t.GetProperty("name").GetString() == "view");
        Assert.Equal("files/view", view.GetProperty("qualifiedName").GetString());
        Assert.Equal("path", view.GetProperty("parameters").GetProperty("required")[0].GetString());
    }

    [Fact]
    public async Task ToolRun_InvokesThroughThePipeline_WithTheWorkspaceRoot()
    {
        using var temp = new TempDirectory();
        temp.WriteFile("ws/notes.txt", "alpha\nbeta\n");
        var env = TestEnvironment.Create(temp.Path, temp.Path);

        var result = await CliRunner.RunAsync(env, "tool", "run", "view", "--args", "{\"path\":\"notes.txt\"}", "--root", temp.Combine("ws"), "-p", "files");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Equal("     1\talpha\n     2\tbeta", result.Output.TrimEnd().Replace("\r", string.Empty, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ToolRun_WithAPluginFolder_AppliesTheSettingsOfTheManifestId_NotTheFolderName()
    {
        using var temp = new TempDirectory();
        var folder = Fixtures.CopyTo("Fixture.Echo", temp.Combine("my-checkout"));
        var env = TestEnvironment.Create(temp.Path, temp.Path);

        var result = await CliRunner.RunAsync(
            env, "tool", "run", "echo", "--args", "{\"text\":\"hi\"}", "-p", folder, "-c", "plugins.settings.fixture-echo.prefix=yo");

        Assert.True(result.ExitCode == ExitCodes.Success, result.Output + result.Error);
        Assert.Contains("yo: hi", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ToolRun_BelongsToNoSession_SoEditingAnExistingFileNeedsNoEarlierView()
    {
        using var temp = new TempDirectory();
        var path = temp.WriteFile("ws/notes.txt", "alpha\nbeta\n");
        var env = TestEnvironment.Create(temp.Path, temp.Path);

        var result = await CliRunner.RunAsync(
            env, "tool", "run", "edit", "--args", "{\"path\":\"notes.txt\",\"old_string\":\"beta\",\"new_string\":\"gamma\"}",
            "--root", temp.Combine("ws"), "-p", "files", "--permission-mode", "yolo");

        Assert.True(result.ExitCode == ExitCodes.Success, result.Output + result.Error);
        Assert.Equal("alpha\ngamma\n", File.ReadAllText(path));
    }

    [Fact]
    public async Task ToolRun_MalformedArgumentsAndUnknownTools_AreErrorResults_NotCrashes()
    {
        using var temp = new TempDirectory();
        var env = TestEnvironment.Create(temp.Path, temp.Path);

        var badJson = await CliRunner.RunAsync(env, "tool", "run", "view", "--args", "{\"path\": ", "-p", "files");
        var wrongType = await CliRunner.RunAsync(env, "tool", "run", "view", "--args", "{\"path\": 3}", "-p", "files", "--json");
        var unknown = await CliRunner.RunAsync(env, "tool", "run", "veiw", "-p", "files");
        var outside = await CliRunner.RunAsync(env, "tool", "run", "view", "--args", "{\"path\":\"../../etc/passwd\"}", "-p", "files");

        Assert.Equal(ExitCodes.Failure, badJson.ExitCode);
        Assert.Contains("the arguments are not valid JSON", badJson.Error, StringComparison.Ordinal);
        Assert.Equal("failed", JsonDocument.Parse(wrongType.Output).RootElement.GetProperty("status").GetString());
        Assert.Contains("'path' must be a string", wrongType.Output, StringComparison.Ordinal);
        Assert.Contains("Did you mean: view", unknown.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Denied, outside.ExitCode);
        Assert.Contains("is outside the sandbox", outside.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ToolRun_MasksTheValueOfASecretNamedEnvironmentVariable_InTheToolsError()
    {
        // The pipeline scrubs what it reports (errors, previews) with the composition root's scrubber, made from this
        // run's environment: a secret-named variable's value never reaches the terminal through a tool's error.
        using var temp = new TempDirectory();
        Directory.CreateDirectory(temp.Combine("ws"));
        var env = TestEnvironment.Create(temp.Path, temp.Path, new Dictionary<string, string> { ["DEPLOY_TOKEN"] = "pq7-ZXCV-secret-4411" });

        var result = await CliRunner.RunAsync(env, "tool", "run", "view", "--args", "{\"path\":\"pq7-ZXCV-secret-4411.txt\"}", "--root", temp.Combine("ws"), "-p", "files");

        Assert.NotEqual(ExitCodes.Success, result.ExitCode);
        Assert.Contains("[REDACTED]", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("pq7-ZXCV-secret-4411", result.Output + result.Error, StringComparison.Ordinal);
    }
}
