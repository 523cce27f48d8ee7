using AgentHost.Tests.Runs;

namespace AgentHost.Tests.Architecture;

/// <summary>
/// The system packages the tests need are one list, <c>.ci/packages</c>: <c>.ci/run</c> installs from it and the
/// README's install line is it, so a package a new test needs cannot be added to one and forgotten in the other.
/// </summary>
public sealed class CiPackagesTests
{
    private static readonly string Root = RunWorkspace.RepositoryRoot();

    [Fact]
    public void ReadmeInstallLine_IsTheListCiInstallsFrom()
    {
        var packages = Packages();
        Assert.Contains("git", packages);
        Assert.Contains("bubblewrap", packages);

        var readme = File.ReadAllText(Path.Combine(Root, "README.md"));
        Assert.Contains($"sudo apt-get install -y {string.Join(' ', packages)}\n", readme.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Equal(1, readme.Split("apt-get install").Length - 1);
    }

    [Fact]
    public void CiRun_InstallsFromTheList()
    {
        var run = File.ReadAllText(Path.Combine(Root, ".ci", "run"));
        Assert.Contains("done < .ci/packages", run, StringComparison.Ordinal);
        Assert.Contains("apt-get install -y -qq \"${missing[@]}\"", run, StringComparison.Ordinal);
    }

    /// <summary>Each line's first word (after comments and blank lines are dropped), in order.</summary>
    private static List<string> Packages() =>
        File.ReadAllLines(Path.Combine(Root, ".ci", "packages"))
            .Select(line => line.Split('#')[0].Trim())
            .Where(line => line.Length > 0)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0])
            .ToList();
}
