using System.Diagnostics;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Cli;

/// <summary>
/// Which <c>agent.dll</c> the process tests run: the build beside the tests, or the build
/// <see cref="AgentProcess.AgentDllVariable"/> names (CI's ReadyToRun publish of the same commit).
/// </summary>
public sealed class AgentUnderTestTests
{
    [Fact]
    public void WithoutTheVariable_TheDebugBuildBesideTheTestsRuns()
    {
        Assert.Equal(Path.Combine(AppContext.BaseDirectory, "agent.dll"), AgentProcess.Locate(null));
        Assert.Equal(Path.Combine(AppContext.BaseDirectory, "agent.dll"), AgentProcess.Locate(""));
    }

    [Fact]
    public void TheVariable_NamesTheBuildThatRuns_AsAFullPath()
    {
        using var temp = new TempDirectory();
        var published = Path.Combine(temp.Path, "publish", "agent.dll");
        Directory.CreateDirectory(Path.GetDirectoryName(published)!);
        File.WriteAllBytes(published, []);
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, published);

        Assert.Equal(published, AgentProcess.Locate(relative));
    }

    [Fact]
    public void AVariableNamingNoFile_IsAnError_NotAFallbackToTheDebugBuild()
    {
        using var temp = new TempDirectory();
        var missing = Path.Combine(temp.Path, "artifacts", "publish", "agent.dll");

        var error = Assert.Throws<InvalidOperationException>(() => AgentProcess.Locate(missing));

        Assert.Contains(AgentProcess.AgentDllVariable, error.Message, StringComparison.Ordinal);
        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheAgentThatRuns_IsBuiltFromTheSameCommitAsTheTests()
    {
        // A stale publish named by the variable would test other code: the informational version carries the commit.
        var tests = FileVersionInfo.GetVersionInfo(Path.Combine(AppContext.BaseDirectory, "agent.dll")).ProductVersion;
        var running = FileVersionInfo.GetVersionInfo(AgentProcess.AgentDll).ProductVersion;

        Assert.False(string.IsNullOrEmpty(tests));
        Assert.Equal(tests, running);
    }
}
