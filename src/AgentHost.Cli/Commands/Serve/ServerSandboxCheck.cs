using AgentHost.Common.Processes;
using AgentHost.Hosting;
using AgentHost.Hosting.Configuration;
using AgentHost.Permissions;
using AgentHost.Permissions.Sandbox;
using AgentHost.Server.Users;

namespace AgentHost.Cli.Commands.Serve;

/// <summary>
/// What <c>agent serve</c>'s callers may name (<see cref="ServerInputs"/>), with whether the server has a working OS
/// sandbox: <c>sandbox.mode: off</c> means none; otherwise the backend is probed once at start (docs/sandbox.md), and
/// without one members may not choose a mode that runs commands unasked unless <c>server.allow_unsandboxed_modes</c> says so.
/// </summary>
internal static class ServerSandboxCheck
{
    /// <summary>Reads the rules and probes the sandbox.</summary>
    /// <param name="configuration">The server's configuration.</param>
    /// <param name="paths">Where the server user's trust list lives.</param>
    /// <param name="root">The server's root (its programs are never the sandbox's).</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The rules, <see cref="ServerInputs.NoSandbox"/> set from the probe.</returns>
    public static async Task<ServerInputs> InputsAsync(ConfigurationSnapshot configuration, AgentPaths paths, string root, CancellationToken cancellationToken)
    {
        var inputs = ServerInputs.From(configuration, paths);
        var settings = SandboxSettings.FromConfiguration(configuration);
        if (settings.Mode == SandboxMode.Off)
        {
            return inputs.WithSandbox("sandbox.mode: off");
        }

        var probe = await SandboxProbe.ProbeAsync(settings.Program, [root], cancellationToken: cancellationToken).ConfigureAwait(false);
        return inputs.WithSandbox(probe.IsAvailable ? null : probe.UnavailableReason ?? "the sandbox backend cannot start");
    }
}
