using System.Diagnostics;
using AgentHost.Sdk.Tools;

namespace AgentHost.Common.Processes;

/// <summary>
/// The macOS sandbox (<see cref="ProcessSpec.Sandbox"/>): the program runs under <c>/usr/bin/sandbox-exec</c> with a
/// generated Seatbelt profile of the same layout bubblewrap mounts on Linux (<see cref="SeatbeltProfile"/>): writes only
/// inside <see cref="ProcessSandbox.WritablePaths"/> and the temporary folder (and a few devices),
/// <see cref="ProcessSandbox.ReadOnlyPaths"/> and <see cref="ProcessSandbox.AbsentPaths"/> not writable,
/// <see cref="ProcessSandbox.HiddenPaths"/> and the host's service sockets neither readable nor writable, the deepest
/// place deciding, and no network unless <see cref="ProcessSandbox.AllowNetwork"/>. The profile holds no path: every
/// path is a parameter (<c>-D W0=/path</c>, read with <c>(param "W0")</c>), so no file name can change its text.
/// </summary>
/// <remarks>
/// Stateless and thread-safe. Unlike bubblewrap, a hidden path is refused (<c>Operation not permitted</c>) rather than
/// replaced by an empty file or folder, and Unix sockets are network: with no network, no socket can be reached.
/// </remarks>
public static class SandboxExec
{
    /// <summary>The backend's name, as events, the audit and <c>agent doctor</c> say it.</summary>
    public const string Name = "sandbox-exec";

    /// <summary>Where macOS keeps it.</summary>
    public const string DefaultProgram = "/usr/bin/sandbox-exec";

    private static readonly string[] HostSockets = ["/var/run/docker.sock", "/private/var/run/docker.sock", "/var/run/com.docker.vmnetd.sock"];

    /// <summary>The profile and its parameters for <paramref name="sandbox"/> (<see cref="SeatbeltProfile"/>).</summary>
    /// <param name="sandbox">The sandbox.</param>
    /// <param name="environment">The variables given to the program (<c>SSH_AUTH_SOCK</c> names a socket to hide).</param>
    /// <returns>The profile's text and the <c>-D</c> parameters it reads, in order.</returns>
    public static (string Profile, IReadOnlyList<KeyValuePair<string, string>> Parameters) Profile(ProcessSandbox sandbox, IReadOnlyDictionary<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(sandbox);
        ArgumentNullException.ThrowIfNull(environment);
        return SeatbeltProfile.Build(sandbox, HostSockets.Concat(SocketsIn(environment)), Real);
    }

    /// <summary>The arguments for <c>sandbox-exec</c> that run <paramref name="program"/> with <paramref name="arguments"/> inside <paramref name="sandbox"/>.</summary>
    /// <param name="sandbox">The sandbox.</param>
    /// <param name="program">The program's absolute path.</param>
    /// <param name="arguments">Its arguments.</param>
    /// <param name="environment">The variables given to the program.</param>
    /// <returns>The arguments.</returns>
    public static List<string> Arguments(ProcessSandbox sandbox, string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?> environment)
    {
        var (profile, parameters) = Profile(sandbox, environment);
        List<string> args = ["-p", profile];
        foreach (var (key, value) in parameters)
        {
            args.AddRange(["-D", key + "=" + value]);
        }

        args.Add(program);
        args.AddRange(arguments);
        return args;
    }

    /// <summary>Points <paramref name="info"/> at <c>sandbox-exec</c>, which runs the program and arguments already in it inside <paramref name="sandbox"/>.</summary>
    /// <param name="info">Start information with the program's absolute path and its arguments as a list.</param>
    /// <param name="sandbox">The sandbox (available).</param>
    /// <param name="environment">The variables given to the program.</param>
    public static void Wrap(ProcessStartInfo info, ProcessSandbox sandbox, IReadOnlyDictionary<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(info);
        var wrapped = Arguments(sandbox, info.FileName, [.. info.ArgumentList], environment);
        info.FileName = sandbox.ProgramPath!;
        info.ArgumentList.Clear();
        foreach (var argument in wrapped)
        {
            info.ArgumentList.Add(argument);
        }

        if (sandbox.TempDirectory is { } temp && Directory.Exists(temp))
        {
            info.Environment["TMPDIR"] = temp;
        }

        info.Environment["AGENTHOST_SANDBOX"] = Name;
    }

    /// <summary>A path as Seatbelt sees it: with every symbolic link resolved (<c>/tmp</c> is <c>/private/tmp</c>).</summary>
    private static string Real(string path) => WorkspacePaths.RealPath(Path.GetFullPath(path));

    private static IEnumerable<string> SocketsIn(IReadOnlyDictionary<string, string?> environment)
    {
        var value = environment.TryGetValue("SSH_AUTH_SOCK", out var given) ? given : Environment.GetEnvironmentVariable("SSH_AUTH_SOCK");
        if (value is { Length: > 0 } && Path.IsPathFullyQualified(value))
        {
            yield return value;
        }
    }
}
