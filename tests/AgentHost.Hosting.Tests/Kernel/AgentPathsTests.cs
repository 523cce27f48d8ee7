using System.Runtime.InteropServices;
using AgentHost.Hosting;
namespace AgentHost.Hosting.Tests.Kernel;

public sealed class AgentPathsTests
{
    private static HostEnvironment Env(OSPlatform platform, params (string Key, string Value)[] variables) =>
        new(variables.ToDictionary(v => v.Key, v => v.Value), "/work/project", "/home/ann", platform);

    [Fact]
    public void AgentHome_RelocatesConfigAndData_ResolvedAgainstTheWorkingDirectory()
    {
        var paths = AgentPaths.Resolve(Env(OSPlatform.Linux, ("AGENT_HOME", "state")));

        Assert.Equal(Path.GetFullPath("/work/project/state"), paths.ConfigDirectory);
        Assert.Equal(paths.ConfigDirectory, paths.DataDirectory);
        Assert.Equal(Path.Combine(paths.DataDirectory, "plugins.lock.json"), paths.LockFile);
    }

    [Fact]
    public void Linux_FollowsXdg_WithHomeDefaults()
    {
        var defaults = AgentPaths.Resolve(Env(OSPlatform.Linux));
        var xdg = AgentPaths.Resolve(Env(OSPlatform.Linux, ("XDG_CONFIG_HOME", "/xdg/config"), ("XDG_DATA_HOME", "/xdg/data")));

        Assert.Equal(Path.Combine("/home/ann", ".config", "agent"), defaults.ConfigDirectory);
        Assert.Equal(Path.Combine("/home/ann", ".local", "share", "agent"), defaults.DataDirectory);
        Assert.Equal(Path.Combine("/xdg/config", "agent"), xdg.ConfigDirectory);
        Assert.Equal(Path.Combine("/xdg/data", "agent"), xdg.DataDirectory);
    }

    [Fact]
    public void MacOs_KeepsConfigInDotConfig_AndDataInApplicationSupport()
    {
        var paths = AgentPaths.Resolve(Env(OSPlatform.OSX));

        Assert.Equal(Path.Combine("/home/ann", ".config", "agent"), paths.ConfigDirectory);
        Assert.Equal(Path.Combine("/home/ann", "Library", "Application Support", "agent"), paths.DataDirectory);
    }

    [Fact]
    public void Windows_UsesAppDataAndLocalAppData()
    {
        var paths = AgentPaths.Resolve(Env(OSPlatform.Windows, ("APPDATA", "/r"), ("LOCALAPPDATA", "/l")));

        Assert.Equal(Path.Combine("/r", "agent"), paths.ConfigDirectory);
        Assert.Equal(Path.Combine("/l", "agent"), paths.DataDirectory);
    }
}
