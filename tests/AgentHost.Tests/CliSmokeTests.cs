using AgentHost.Tests.Support;

namespace AgentHost.Tests;

public sealed class CliSmokeTests
{
    [Fact]
    public async Task UnknownCommand_ExitsWithUsageCode_AndNamesTheToken()
    {
        using var temp = new TempDirectory();
        var result = await CliRunner.RunAsync(TestEnvironment.Create(temp.Path, temp.Path), "plugin", "bogus");
        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("'bogus'", result.Error, StringComparison.Ordinal);
    }
}
