using System.Text.Json;

namespace AgentHost.Tests.Configuration;

public sealed class ConfigCommandTests
{
    [Fact]
    public async Task ConfigShow_RedactsSecrets_AndShowsWhereTheyLive()
    {
        using var project = new ConfigProject();
        project.TrustRepo(); // a project's provider settings and feeds apply once it is trusted
        var file = project.WriteProject(
            "providers:\n" +
            "  openai:\n" +
            "    api_key: sk-very-secret-1\n" +
            "    headers:\n" +
            "      Authorization: Bearer sk-very-secret-2\n" +
            "  compat:\n" +
            "    api_key_env: OPENAI_API_KEY\n");

        var result = await project.RunAsync(
            new Dictionary<string, string> { ["AGENT_PROVIDERS__OTHER__API_KEY"] = "tok-secret-3" },
            "config", "show", "-c", "plugins.settings.acme.auth_token=sk-very-secret-4");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.DoesNotContain("secret-", result.Output + result.Error, StringComparison.Ordinal);
        var lines = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.TrimEnd('\r')).ToList();
        Assert.Contains(lines, line => line.StartsWith("providers.openai.api_key = ***", StringComparison.Ordinal) && line.EndsWith($"(source: {file}:3)", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.StartsWith("providers.compat.api_key_env = OPENAI_API_KEY", StringComparison.Ordinal) && line.EndsWith($"(source: {file}:7)", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.StartsWith("providers.openai.headers.Authorization = ***", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.StartsWith("providers.other.api_key = ***", StringComparison.Ordinal) && line.EndsWith("(source: env AGENT_PROVIDERS__OTHER__API_KEY)", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.EndsWith("(source: flag -c plugins.settings.acme.auth_token=***)", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.StartsWith("log_level = information", StringComparison.Ordinal) && line.EndsWith("(source: default)", StringComparison.Ordinal));
        Assert.Equal(lines.Order(StringComparer.OrdinalIgnoreCase), lines);
    }

    [Fact]
    public async Task ConfigShow_Json_PrintsKeyValueSourceFileAndLine()
    {
        using var project = new ConfigProject();
        var file = project.WriteProject("model: m1\nproviders:\n  openai:\n    api_key: sk-json-secret\n");

        var result = await project.RunAsync("config", "show", "--json");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.DoesNotContain("sk-json-secret", result.Output, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(result.Output);
        var items = json.RootElement.EnumerateArray().ToDictionary(item => item.GetProperty("key").GetString()!);
        Assert.Equal("m1", items["model"].GetProperty("value").GetString());
        Assert.Equal("project", items["model"].GetProperty("source").GetString());
        Assert.Equal(file, items["model"].GetProperty("file").GetString());
        Assert.Equal(1, items["model"].GetProperty("line").GetInt32());
        Assert.Equal("***", items["providers.openai.api_key"].GetProperty("value").GetString());
        Assert.Equal("default", items["log_level"].GetProperty("source").GetString());
        Assert.Equal(JsonValueKind.Null, items["log_level"].GetProperty("line").ValueKind);
    }

    [Fact]
    public async Task ConfigShow_WithKey_ShowsOnlyThatSection()
    {
        using var project = new ConfigProject();
        project.WriteProject("model: m1\nproviders:\n  openai:\n    base_url: https://api.openai.com/v1\n");

        var result = await project.RunAsync("-c", "model=from-flag", "config", "show", "model");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        var line = Assert.Single(result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("model = from-flag    (source: flag -c model=from-flag)", line.TrimEnd('\r'));
    }

    [Fact]
    public async Task ConfigShow_UnsetKey_ExitsNotFound()
    {
        using var project = new ConfigProject();

        var result = await project.RunAsync("config", "show", "providers.nothing");

        Assert.Equal(ExitCodes.NotFound, result.ExitCode);
        Assert.Contains("'providers.nothing'", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfigValidate_MalformedYaml_PrintsFileAndLine_AndExitsWithConfigurationCode()
    {
        using var project = new ConfigProject();
        var file = project.WriteProject("model: x\nproviders: {openai: \n");

        var result = await project.RunAsync("config", "validate");

        Assert.Equal(ExitCodes.Configuration, result.ExitCode);
        Assert.Contains($"error: {file}:2:", result.Error, StringComparison.Ordinal);
        Assert.Contains("1 error", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfigValidate_WrongValues_PrintsEachProblem_AndExits3()
    {
        using var project = new ConfigProject();
        var file = project.WriteProject("log_level: loud\nmodle: x\n");

        var result = await project.RunAsync("config", "validate");

        Assert.Equal(ExitCodes.Configuration, result.ExitCode);
        Assert.Contains($"{file}:1: key 'log_level': 'loud' is not allowed. Use one of: trace, debug, information, warning, error, none", result.Error, StringComparison.Ordinal);
        Assert.Contains($"{file}:2: key 'modle': unknown key. Did you mean 'model'?", result.Error, StringComparison.Ordinal);
        Assert.Contains("Configuration has 2 errors", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfigValidate_OnlyWarnings_ExitsZero_AndPrintsThem()
    {
        using var project = new ConfigProject();
        project.TrustRepo(); // a project's provider settings and feeds apply once it is trusted
        var file = project.WriteProject("providers:\n  openai:\n    api_key: ${UNSET_KEY_FOR_TEST}\n");

        var result = await project.RunAsync("config", "validate");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains($"warning: {file}:3: key 'providers.openai.api_key': variable UNSET_KEY_FOR_TEST is not set", result.Error, StringComparison.Ordinal);
        Assert.Contains("Configuration is valid with 1 warning", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfigValidate_ValidConfiguration_ExitsZero()
    {
        using var project = new ConfigProject();
        project.TrustRepo(); // a project's provider settings and feeds apply once it is trusted
        project.WriteGlobal("log_level: debug\n");
        project.WriteProject("model: openai/gpt-4o\nplugins:\n  feeds:\n    - name: local\n      url: ./feed\n");

        var result = await project.RunAsync("config", "validate");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Equal(string.Empty, result.Error);
        Assert.Contains("Configuration is valid", result.Output, StringComparison.Ordinal);
        Assert.Contains(project.ProjectFile, result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfigValidate_File_ChecksThatFileOnly()
    {
        using var project = new ConfigProject();
        project.WriteProject("log_level: loud\n");
        var other = project.Temp.WriteFile(Path.Combine("repo", "candidate.yaml"), "log_level: debug\n");

        var valid = await project.RunAsync("config", "validate", "--file", "candidate.yaml");
        var missing = await project.RunAsync("config", "validate", "--file", "absent.yaml");

        Assert.Equal(ExitCodes.Success, valid.ExitCode);
        Assert.Contains(other, valid.Output, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.NotFound, missing.ExitCode);
        Assert.Contains("absent.yaml", missing.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfigPath_WithAgentHome_PrintsLabelledLocations()
    {
        using var project = new ConfigProject();
        var home = project.Temp.Combine("agent-home");

        var result = await project.RunAsync("config", "path");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        var lines = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.TrimEnd('\r')).ToList();
        Assert.Equal($"global config:  {Path.Combine(home, "config.yaml")} (not found)", lines[0]);
        Assert.Equal($"project config: {project.ProjectFile} (not found; create it to configure this project)", lines[1]);
        Assert.Equal($"project root:   {project.Repo}", lines[2]);
        Assert.Equal($"data directory: {home}", lines[3]);
    }

    [Fact]
    public async Task ConfigPath_StillWorks_WhenTheProjectConfigIsBroken()
    {
        using var project = new ConfigProject();
        project.WriteGlobal("model: x\n");
        project.WriteProject(": : :\n\t- [\n");

        var result = await project.RunAsync("config", "path");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains($"global config:  {project.GlobalFile}\n", result.Output.Replace("\r", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains($"project config: {project.ProjectFile}\n", result.Output.Replace("\r", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Equal(string.Empty, result.Error);
    }
}
