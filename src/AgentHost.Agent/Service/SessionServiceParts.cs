using AgentHost.Agent.Questions;
using AgentHost.Hosting;
using AgentHost.Hosting.Configuration;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Installed;
using AgentHost.Hosting.Security;
using AgentHost.Permissions;
using AgentHost.Permissions.Gate;
using AgentHost.Permissions.Sandbox;
using AgentHost.Sessions;
using Microsoft.Extensions.Logging;

namespace AgentHost.Agent.Service;

/// <summary>The process-wide parts every session of an <see cref="AgentSessionService"/> shares.</summary>
internal sealed record SessionServiceParts(
    PluginRuntime Runtime,
    ISessionStore Store,
    ConfigurationSnapshot Configuration,
    HostEnvironment Environment,
    SecretScrubber Scrubber,
    PermissionBroker Broker,
    TimeProvider Time,
    ILogger Logger)
{
    /// <summary>Carries questions for a person (<c>ask_user</c>, workflow <c>wait</c> nodes) to the front ends.</summary>
    public QuestionBroker Questions { get; init; } = new(Runtime.Events, Time);

    /// <summary>The environments of the sessions' processes (<see cref="Engine.SessionProcessEnvironment"/>): the CLI's unless the front end is a shared server.</summary>
    public Engine.SessionProcessEnvironment ProcessEnvironment { get; set; } = Engine.SessionProcessEnvironment.Create(Engine.SessionProcessEnvironment.Current(), Configuration, server: false, hidden: []);

    /// <summary>The agent's places its sessions' sandboxes hide (a server's, <see cref="SandboxLayout.ForServer"/>); the user's own when <see langword="null"/>.</summary>
    public SandboxLayout? SandboxLayout { get; set; }

    /// <summary>The model client a front end prepared ahead of the first session (<see cref="AgentSessionService.PrepareModel"/>).</summary>
    public PreparedModel Prepared { get; } = new();
}
