using AgentHost.Tests.Support;

namespace AgentHost.Tests.Installation;

/// <summary><c>agent plugin install</c> of the bundled catalog says when a plugin's server program is not on PATH (#19 item 6).</summary>
public sealed class MissingProgramTests
{
    [Theory]
    [InlineData("typescript", "typescript-language-server", "npm install -g typescript-language-server@")]
    [InlineData("terraform-ls", "terraform-ls", "https://github.com/hashicorp/terraform-ls/releases")]
    [InlineData("yaml", "yaml-language-server", "npm install -g yaml-language-server")]
    [InlineData("bash", "bash-language-server", "npm install -g bash-language-server")]
    public async Task Install_SaysWhichProgramIsMissing_AndHowToInstallIt(string id, string program, string how)
    {
        using var temp = new TempDirectory();
        var env = TestEnvironment.Create(temp.Path, temp.Path, new Dictionary<string, string> { ["PATH"] = temp.Combine("empty-bin") });

        var install = await CliRunner.RunAsync(env, "plugin", "install", id, "--yes");
        var again = await CliRunner.RunAsync(env, "plugin", "install", id, "--yes");

        Assert.Equal((ExitCodes.Success, ExitCodes.Success), (install.ExitCode, again.ExitCode));
        Assert.Contains($"Needs a program: {id} runs '{program}', which is not on PATH.", install.Output, StringComparison.Ordinal);
        Assert.Contains(how, install.Output, StringComparison.Ordinal);
        Assert.Contains($"Needs a program: {id} runs '{program}'", again.Output, StringComparison.Ordinal);
    }

    [UnixFact]
    public async Task Install_SaysNothing_WhenTheProgramIsOnPath()
    {
        using var temp = new TempDirectory();
        var bin = Directory.CreateDirectory(temp.Combine("bin")).FullName;
        var server = Path.Combine(bin, "typescript-language-server");
        File.WriteAllText(server, "#!/bin/sh\nexit 0\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(server, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var env = TestEnvironment.Create(temp.Path, temp.Combine("work"), new Dictionary<string, string> { ["PATH"] = bin });
        Directory.CreateDirectory(temp.Combine("work"));

        var install = await CliRunner.RunAsync(env, "plugin", "install", "typescript", "--yes");

        Assert.Equal(ExitCodes.Success, install.ExitCode);
        Assert.Contains("Installed typescript", install.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Needs a program", install.Output, StringComparison.Ordinal);
    }
}
