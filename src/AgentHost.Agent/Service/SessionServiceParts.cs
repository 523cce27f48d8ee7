using AgentHost.Kernel.Configuration;
using AgentHost.Kernel.Hosting;
using AgentHost.Kernel.Permissions;
using AgentHost.Kernel.Plugins;
using AgentHost.Kernel.Security;
using AgentHost.Kernel.Sessions;
using Microsoft.Extensions.Logging;

namespace AgentHost.Kernel.Service;

/// <summary>The process-wide parts every session of an <see cref="AgentSessionService"/> shares.</summary>
internal sealed record SessionServiceParts(
    PluginRuntime Runtime,
    SessionStore Store,
    ConfigurationSnapshot Configuration,
    HostEnvironment Environment,
    SecretScrubber Scrubber,
    PermissionBroker Broker,
    TimeProvider Time,
    ILogger Logger);
