using AgentHost.Tests.Support;

namespace AgentHost.Tests.Configuration;

/// <summary>
/// Plugin settings checked against what the plugin's plugin.yaml declares (#49: <c>config set
/// plugins.settings.git.generated_with true</c> was accepted, and the git pack then stopped loading), through the real CLI.
/// </summary>
public sealed class PluginSettingsConfigTests
{
    [Fact]
    public async Task Set_ADeclaredSetting_IsWritten_AndAnUndeclaredPluginGetsANote()
    {
        using var project = new ConfigProject();

        var attribution = await project.RunAsync("config", "set", "plugins.settings.git.attribution", "none");
        var domains = await project.RunAsync("config", "set", "plugins.settings.web.allowed_domains", "[example.com, \"*.example.org\"]");
        var unknownPlugin = await project.RunAsync("config", "set", "plugins.settings.acme.jira-tools.url", "https://jira.example.com");

        Assert.True(attribution.ExitCode == ExitCodes.Success, attribution.Error);
        Assert.True(domains.ExitCode == ExitCodes.Success, domains.Error);
        Assert.True(unknownPlugin.ExitCode == ExitCodes.Success, unknownPlugin.Error);
        Assert.Contains("no installed or bundled plugin is called 'acme'", unknownPlugin.Error, StringComparison.Ordinal);
        var text = File.ReadAllText(project.GlobalFile);
        Assert.Contains("attribution: none", text, StringComparison.Ordinal);
        Assert.Contains("allowed_domains: [example.com, \"*.example.org\"]", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_ReportsAHandWrittenInvalidSetting_WithItsFileAndLine()
    {
        using var project = new ConfigProject();
        project.WriteGlobal("model: local/m1\nplugins:\n  settings:\n    git:\n      attribution: none\n      generated_by: true\n    files:\n      search_threads: 500\n");

        var result = await project.RunAsync("config", "validate");

        Assert.Equal(ExitCodes.Configuration, result.ExitCode);
        Assert.Contains($"{project.GlobalFile}:6: key 'plugins.settings.git.generated_by': unknown setting; git declares", result.Error, StringComparison.Ordinal);
        Assert.Contains($"{project.GlobalFile}:8: key 'plugins.settings.files.search_threads': '500' is not a whole number from 0 to 64", result.Error, StringComparison.Ordinal);
        Assert.Contains("Configuration has 2 errors", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task APluginWhoseSettingsDoNotFit_IsReportedNotLoaded_AndTheOthersLoad()
    {
        // The files plugin's own code reads two settings and used to ignore any other key without a word.
        using var project = new ConfigProject();
        Directory.CreateDirectory(project.Repo);
        project.WriteGlobal("plugins:\n  settings:\n    files:\n      read_before_edit: false\n      max_file_size: 10\n");

        var result = await CliRunner.RunAsync(project.Environment(currentDirectory: project.Repo), "tool", "list");

        Assert.Contains(
            "plugin 'files': its settings do not fit what its plugin.yaml declares: plugins.settings.files.max_file_size: unknown setting; files declares read_before_edit, search_threads",
            result.Error,
            StringComparison.Ordinal);
        Assert.DoesNotContain("glob ", result.Output, StringComparison.Ordinal);
        Assert.Contains("git_status", result.Output, StringComparison.Ordinal);
    }
}
