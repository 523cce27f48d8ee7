using System.Runtime.InteropServices;
using AgentHost.Agent.Memory;
using AgentHost.Hosting;
using AgentHost.Hosting.Configuration;
using AgentHost.Tests.Support;

namespace AgentHost.Agent.Tests.Memory;

/// <summary>Where the global memory file is found, and the memory.* settings.</summary>
public sealed class ProjectMemoryConfigurationTests
{
    [Fact]
    public void GlobalFile_IsReadFromXdgConfigHome()
    {
        using var temp = new TempDirectory();
        temp.WriteFile("xdg/agent/AGENTS.md", "global from xdg");
        temp.WriteFile("home/.config/agent/AGENTS.md", "the default folder, overridden by XDG_CONFIG_HOME");
        temp.WriteFile("ws/AGENTS.md", "project");
        var environment = new HostEnvironment(
            new Dictionary<string, string> { ["XDG_CONFIG_HOME"] = temp.Combine("xdg") }, temp.Combine("ws"), temp.Combine("home"), OSPlatform.Linux);

        var text = Load(environment, temp.Combine("ws"));

        Assert.Contains($"<file path=\"{temp.Combine("xdg", "agent", "AGENTS.md")}\">\nglobal from xdg\n</file>", text, StringComparison.Ordinal);
        Assert.DoesNotContain("the default folder", text, StringComparison.Ordinal);
    }

    [Fact]
    public void GlobalFile_IsReadFromTheDefaultConfigFolder_OrAppDataOnWindows()
    {
        using var temp = new TempDirectory();
        temp.WriteFile("home/.config/agent/AGENTS.md", "unix default");
        temp.WriteFile("roaming/agent/AGENTS.md", "windows appdata");
        Directory.CreateDirectory(temp.Combine("ws"));
        var unix = new HostEnvironment(new Dictionary<string, string>(), temp.Combine("ws"), temp.Combine("home"), OSPlatform.Linux);
        var windows = new HostEnvironment(new Dictionary<string, string> { ["APPDATA"] = temp.Combine("roaming") }, temp.Combine("ws"), temp.Combine("home"), OSPlatform.Windows);

        Assert.Contains("unix default", Load(unix, temp.Combine("ws")), StringComparison.Ordinal);
        Assert.Contains("windows appdata", Load(windows, temp.Combine("ws")), StringComparison.Ordinal);
    }

    [Fact]
    public void MemoryEnabledFalse_TurnsMemoryOff()
    {
        using var temp = new TempDirectory();
        temp.WriteFile("ws/AGENTS.md", "project");
        var environment = TestEnvironment.Create(temp.Path, temp.Combine("ws"));
        var configuration = ConfigurationResolver.Resolve(environment, AgentPaths.Resolve(environment), ["memory.enabled=false"]);

        Assert.Null(ProjectMemoryRun.CreateLoader(configuration, environment));
        Assert.False(configuration.HasErrors);
    }

    [Fact]
    public void MemoryFiles_FromTheProjectConfig_AreReadAfterTheRootFiles()
    {
        using var temp = new TempDirectory();
        temp.WriteFile("ws/AGENTS.md", "project");
        temp.WriteFile("ws/docs/STYLE.md", "style guide");
        temp.WriteFile("ws/.agent/config.yaml", "memory:\n  files:\n    - docs/STYLE.md\n");
        var environment = TestEnvironment.Create(temp.Path, temp.Combine("ws"));
        var configuration = ConfigurationResolver.Resolve(environment, AgentPaths.Resolve(environment));

        var memory = ProjectMemoryRun.CreateLoader(configuration, environment)!.Load(temp.Combine("ws"), configuration.ProjectRoot);

        Assert.False(configuration.HasErrors, string.Join("; ", configuration.Problems));
        Assert.Equal(["AGENTS.md", "docs/STYLE.md"], memory.Files.Select(f => f.DisplayPath));
    }

    [Fact]
    public void AMistypedMemoryKey_IsAConfigurationProblem()
    {
        using var temp = new TempDirectory();
        var environment = TestEnvironment.Create(temp.Path, temp.Path);

        var configuration = ConfigurationResolver.Resolve(environment, AgentPaths.Resolve(environment), ["memory.enabeld=false"]);

        Assert.Contains(configuration.Problems, p => p.ToString().Contains("memory.enabeld", StringComparison.Ordinal));
    }

    private static string Load(HostEnvironment environment, string root)
    {
        var configuration = ConfigurationResolver.Resolve(environment, AgentPaths.Resolve(environment));
        return ProjectMemoryRun.CreateLoader(configuration, environment)!.Load(root, root).ToPromptText() ?? string.Empty;
    }
}
