using System.Runtime.InteropServices;
using AgentHost.Hosting;
namespace AgentHost.Tests.Support;

/// <summary>Builds <see cref="HostEnvironment"/>s that point at temp folders, never at the real user profile.</summary>
public static class TestEnvironment
{
    public static HostEnvironment Create(string home, string currentDirectory, IDictionary<string, string>? variables = null)
    {
        var all = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["AGENT_HOME"] = System.IO.Path.Combine(home, "agent-home"),
        };
        if (variables is not null)
        {
            foreach (var (key, value) in variables)
            {
                all[key] = value;
            }
        }

        return new HostEnvironment(all, currentDirectory, home, OSPlatform.Linux);
    }
}
