using System.Diagnostics;
using AgentHost.Sdk.Tools;

namespace AgentHost.Common.Processes;

/// <summary>
/// The Linux sandbox (<see cref="ProcessSpec.Sandbox"/>): the program runs under <c>bwrap</c> with new user, PID, IPC,
/// UTS, cgroup and network namespaces (the network is shared back only when <see cref="ProcessSandbox.AllowNetwork"/>;
/// with <see cref="ProcessSandbox.UsesNetworkProxy"/> a bridge inside forwards the sandbox's <c>127.0.0.1:3128</c> to
/// the host's filtering proxy and <c>HTTP_PROXY</c>/<c>HTTPS_PROXY</c> point at it),
/// the whole file system bound read-only, a fresh <c>/dev</c> and <c>/proc</c>, then the writable folders, the read-only
/// places and the hidden places (an empty read-only folder or <c>/dev/null</c>) mounted from the shallowest to the
/// deepest (<see cref="BubblewrapMounts"/>), so that a session's root stays writable inside a hidden folder of roots
/// and a <c>.env</c> file is hidden inside the writable root. <c>--die-with-parent</c> and <c>--new-session</c>: the sandbox dies with the launcher's
/// watchdog (which kills <c>bwrap</c> with the rest of its process group), the first process of a PID namespace takes
/// every other with it, and the program cannot push input into the host's terminal.
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
public static class Bubblewrap
{
    /// <summary>The backend's name, as events, the audit and <c>agent doctor</c> say it.</summary>
    public const string Name = "bubblewrap";

    /// <summary>Unix sockets on the file system through which a contained process could reach the host's services (the read-only bind does not stop <c>connect</c>).</summary>
    private static readonly string[] HostSockets =
        ["/run/docker.sock", "/var/run/docker.sock", "/run/containerd", "/run/podman", "/run/dbus", "/var/run/dbus", "/tmp/.X11-unix", "/run/user"];

    /// <summary>The port on the sandbox's own 127.0.0.1 that the bridge listens on (its network namespace is its own: no clash).</summary>
    public const int ProxyPort = 3128;

    /// <summary>
    /// The bridge's start inside the sandbox: <c>socat</c> listens on <see cref="ProxyPort"/> of the sandbox's loopback
    /// (bwrap brings <c>lo</c> up in the new network namespace) and forwards each connection to the host's proxy socket;
    /// the command starts once the port listens (read from <c>/proc/net/tcp</c>, at most about 5 s) and replaces the
    /// shell, so its exit code is the command's; the bridge dies with the sandbox's PID namespace. Paths arrive as
    /// arguments, never in the script's text.
    /// </summary>
    private const string BridgeScript =
        "\"$1\" TCP-LISTEN:3128,bind=127.0.0.1,fork,reuseaddr \"UNIX-CONNECT:$2\" </dev/null >/dev/null 2>&1 &\n" +
        "i=0; while ! grep -q ' 0100007F:0C38 00000000:0000 0A ' /proc/net/tcp 2>/dev/null; do i=$((i+1)); [ $i -ge 1000 ] && break; sleep 0.005; done\n" +
        "shift 2; exec \"$@\"";

    /// <summary>A path as bwrap must name it: with every symbolic link resolved (<c>/var/run</c> is <c>/run</c>), so two spellings bind once.</summary>
    internal static string Real(string path) => WorkspacePaths.RealPath(Path.GetFullPath(path));

    /// <summary>The arguments that run <paramref name="program"/> with <paramref name="arguments"/> inside <paramref name="sandbox"/>.</summary>
    /// <param name="sandbox">The sandbox (available).</param>
    /// <param name="program">The program's absolute path.</param>
    /// <param name="arguments">Its arguments.</param>
    /// <param name="workingDirectory">Where it runs, when given.</param>
    /// <param name="environment">The variables the program gets (<c>SSH_AUTH_SOCK</c> and <c>XDG_RUNTIME_DIR</c> name sockets to hide).</param>
    /// <returns>The arguments for <c>bwrap</c>.</returns>
    public static List<string> Arguments(
        ProcessSandbox sandbox, string program, IEnumerable<string> arguments, string? workingDirectory, IReadOnlyDictionary<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(sandbox);
        List<string> args = ["--unshare-all"];
        if (sandbox.AllowNetwork)
        {
            args.Add("--share-net");
        }

        args.AddRange(["--die-with-parent", "--new-session", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]);
        var proxy = sandbox.UsesNetworkProxy && Path.Exists(sandbox.NetworkProxySocket) ? Real(sandbox.NetworkProxySocket!) : null;
        BubblewrapMounts.Add(args, sandbox, [.. HostSockets.Concat(SocketsIn(environment))], proxy);
        if (workingDirectory is not null)
        {
            args.AddRange(["--chdir", workingDirectory]);
        }

        if (sandbox.TempDirectory is { } temp && Directory.Exists(temp))
        {
            args.AddRange(["--setenv", "TMPDIR", temp]);
        }

        args.AddRange(["--setenv", "AGENTHOST_SANDBOX", Name]);
        if (proxy is not null)
        {
            var url = "http://127.0.0.1:" + ProxyPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
            foreach (var name in (string[])["HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"])
            {
                args.AddRange(["--setenv", name, url]);
            }

            // localhost inside is the sandbox's own loopback (its servers, the bridge), never the host's.
            args.AddRange(["--setenv", "NO_PROXY", "localhost,127.0.0.1,::1", "--setenv", "no_proxy", "localhost,127.0.0.1,::1"]);
            args.AddRange(["--", "/bin/sh", "-c", BridgeScript, "agent-sandbox-proxy", sandbox.NetworkProxyBridge!, proxy]);
        }
        else
        {
            args.Add("--");
        }

        args.Add(program);
        args.AddRange(arguments);
        return args;
    }

    /// <summary>Points <paramref name="info"/> at <c>bwrap</c>, which runs the program and arguments already in it inside <paramref name="sandbox"/>.</summary>
    /// <param name="info">Start information with the program's absolute path and its arguments as a list.</param>
    /// <param name="sandbox">The sandbox (available).</param>
    /// <param name="environment">The variables given to the program.</param>
    public static void Wrap(ProcessStartInfo info, ProcessSandbox sandbox, IReadOnlyDictionary<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(sandbox);
        AbsentPlaces.MakePlaces(sandbox);
        var wrapped = Arguments(sandbox, info.FileName, [.. info.ArgumentList], string.IsNullOrEmpty(info.WorkingDirectory) ? null : info.WorkingDirectory, environment);
        info.FileName = sandbox.ProgramPath!;
        info.ArgumentList.Clear();
        foreach (var argument in wrapped)
        {
            info.ArgumentList.Add(argument);
        }
    }

    /// <summary>The host's agent and session-bus sockets named by the environment (<c>SSH_AUTH_SOCK</c>, <c>XDG_RUNTIME_DIR</c>).</summary>
    private static IEnumerable<string> SocketsIn(IReadOnlyDictionary<string, string?> environment)
    {
        foreach (var name in (string[])["SSH_AUTH_SOCK", "XDG_RUNTIME_DIR"])
        {
            var value = environment.TryGetValue(name, out var given) ? given : Environment.GetEnvironmentVariable(name);
            if (value is { Length: > 0 } && Path.IsPathFullyQualified(value))
            {
                yield return value;
            }
        }
    }
}
