using AgentHost.Permissions;
using AgentHost.Permissions.Rules;
using AgentHost.Sdk.Tools;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Permissions;

/// <summary>A temp project root and home, and helpers to decide calls against rules.</summary>
public sealed class PermissionFixture : IDisposable
{
    public PermissionFixture()
    {
        Directory.CreateDirectory(Root);
        Directory.CreateDirectory(Home);
        Directory.CreateDirectory(Temp.Combine("repo", "src"));
    }

    public TempDirectory Temp { get; } = new();

    public string Root => Temp.Combine("repo");

    public string Home => Temp.Combine("home");

    public PermissionEngine Engine(PermissionPolicy policy, params string[] extra) => new(policy, Root, Home, extra);

    public PermissionEngine Engine(string[]? allow = null, string[]? ask = null, string[]? deny = null)
    {
        var policy = PermissionPolicy.FromText(allow, ask, deny);
        Assert.Empty(policy.Problems);
        return Engine(policy);
    }

    public static PermissionDecision Shell(PermissionEngine engine, string command, PermissionMode mode = PermissionMode.Ask) =>
        engine.Decide(new PermissionCall("shell", ToolEffect.Execute, command), mode);

    public static PermissionDecision Read(PermissionEngine engine, string path, PermissionMode mode = PermissionMode.Ask) =>
        engine.Decide(new PermissionCall("view", ToolEffect.Read, path) { Plugin = "files", Action = "read" }, mode);

    public static PermissionDecision Write(PermissionEngine engine, string path, PermissionMode mode = PermissionMode.Ask) =>
        engine.Decide(new PermissionCall("write", ToolEffect.Write, path) { Plugin = "files", Action = "write" }, mode);

    public static PermissionDecision Fetch(PermissionEngine engine, string url, PermissionMode mode = PermissionMode.Ask) =>
        engine.Decide(new PermissionCall("fetch", ToolEffect.Network, url) { Plugin = "web", Action = "fetch" }, mode);

    public void Dispose() => Temp.Dispose();
}
