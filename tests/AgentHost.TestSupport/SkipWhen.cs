namespace AgentHost.Tests.Support;

// A test that cannot run on this machine is reported as skipped with the reason, never passed by returning early:
// the count of skipped tests must be honest. Each attribute below sets xunit's Skip when its condition does not hold.

/// <summary>Why a test cannot run here, or <see langword="null"/> when it can. Probed once per process where probing costs.</summary>
public static class SkipWhen
{
    private static readonly Lazy<string?> SymlinkReason = new(ProbeSymlinks);

    public static string? NotUnix(string why) => OperatingSystem.IsWindows() ? "needs a Unix system: " + why : null;

    public static string? NotLinux(string why) => OperatingSystem.IsLinux() ? null : "needs Linux: " + why;

    public static string? NotWindows(string why) => OperatingSystem.IsWindows() ? null : "needs Windows: " + why;

    /// <summary>Symbolic links need a privilege (or developer mode) on Windows; elsewhere they always work.</summary>
    public static string? NoSymlinks() => SymlinkReason.Value;

    public static string? NoTerminal() => PseudoTerminal.IsAvailable
        ? null
        : "needs a pseudo-terminal made by util-linux 'script' (/usr/bin/script, package bsdutils) on Linux";

    /// <summary>
    /// A process started in the background by a non-interactive shell (<c>cmd &amp;</c>) has SIGINT ignored, and its
    /// children inherit that: .NET then installs no handler and Ctrl+C cannot reach the agent, as POSIX intends.
    /// </summary>
    public static string? SigintIgnored()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        var ignored = line is not null && ulong.TryParse(line.AsSpan(7).Trim(), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture, out var mask) && (mask & 0b10) != 0;
        return ignored ? "SIGINT is ignored in this test process (started in the background by a shell), so an agent it starts inherits that and cannot be interrupted; run the tests in the foreground" : null;
    }

    public static string? MissingPrograms(string[] programs)
    {
        var missing = programs.Where(p => FindOnPath(p) is null).ToArray();
        return missing.Length == 0 ? null : "needs " + string.Join(", ", missing.Select(p => "'" + p + "'")) + " on PATH, which this machine does not have";
    }

    private static string? FindOnPath(string program)
    {
        var names = OperatingSystem.IsWindows() ? new[] { program + ".exe", program + ".cmd", program } : [program];
        return (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator)
            .Where(Path.IsPathFullyQualified)
            .SelectMany(folder => names.Select(name => Path.Combine(folder, name)))
            .FirstOrDefault(File.Exists);
    }

    private static string? ProbeSymlinks()
    {
        using var temp = new TempDirectory();
        try
        {
            Directory.CreateSymbolicLink(temp.Combine("probe"), temp.Path);
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return "symbolic links cannot be created on this machine (" + ex.Message + ")";
        }
    }
}

/// <summary>A fact that needs a Unix system (a POSIX shell, bash command lines, file modes); skipped on Windows with the reason.</summary>
public sealed class UnixFactAttribute : FactAttribute
{
    public UnixFactAttribute(string why = "a POSIX shell and file modes") => Skip = SkipWhen.NotUnix(why);
}

/// <summary>A fact that sends SIGINT (Ctrl+C) to an agent it starts; skipped on Windows, or when SIGINT is ignored here.</summary>
public sealed class SigintFactAttribute : FactAttribute
{
    public SigintFactAttribute(bool linuxOnly = false, string why = "SIGINT delivered to a child process") =>
        Skip = (linuxOnly ? SkipWhen.NotLinux(why) : SkipWhen.NotUnix(why)) ?? SkipWhen.SigintIgnored();
}

/// <summary>A theory that sends SIGINT (Ctrl+C) to an agent it starts; skipped on Windows, or when SIGINT is ignored here.</summary>
public sealed class SigintTheoryAttribute : TheoryAttribute
{
    public SigintTheoryAttribute(string why = "SIGINT delivered to a child process") => Skip = SkipWhen.NotUnix(why) ?? SkipWhen.SigintIgnored();
}

/// <summary>A theory that needs a Unix system; skipped on Windows with the reason.</summary>
public sealed class UnixTheoryAttribute : TheoryAttribute
{
    public UnixTheoryAttribute(string why = "a POSIX shell and file modes") => Skip = SkipWhen.NotUnix(why);
}

/// <summary>A fact that needs Linux (pidfd, /proc, setsid process groups, util-linux); skipped elsewhere with the reason.</summary>
public sealed class LinuxFactAttribute : FactAttribute
{
    public LinuxFactAttribute(string why = "POSIX signals to a child process, setsid process groups and pidfd") => Skip = SkipWhen.NotLinux(why);
}

/// <summary>A theory that needs Linux; skipped elsewhere with the reason.</summary>
public sealed class LinuxTheoryAttribute : TheoryAttribute
{
    public LinuxTheoryAttribute(string why) => Skip = SkipWhen.NotLinux(why);
}

/// <summary>A fact that needs Windows; skipped elsewhere with the reason.</summary>
public sealed class WindowsFactAttribute : FactAttribute
{
    public WindowsFactAttribute(string why) => Skip = SkipWhen.NotWindows(why);
}

/// <summary>A theory that needs Windows; skipped elsewhere with the reason.</summary>
public sealed class WindowsTheoryAttribute : TheoryAttribute
{
    public WindowsTheoryAttribute(string why) => Skip = SkipWhen.NotWindows(why);
}

/// <summary>A fact that needs symbolic links; skipped with the reason where they cannot be created (Windows without the right).</summary>
public sealed class SymlinkFactAttribute : FactAttribute
{
    public SymlinkFactAttribute() => Skip = SkipWhen.NoSymlinks();
}

/// <summary>A theory that needs symbolic links; skipped with the reason where they cannot be created.</summary>
public sealed class SymlinkTheoryAttribute : TheoryAttribute
{
    public SymlinkTheoryAttribute() => Skip = SkipWhen.NoSymlinks();
}

/// <summary>A fact that drives <c>agent</c> in a real pseudo-terminal (<see cref="Terminal"/>); skipped with the reason without one.</summary>
public sealed class TerminalFactAttribute : FactAttribute
{
    public TerminalFactAttribute() => Skip = SkipWhen.NoTerminal();
}

/// <summary>A fact that runs programs found on PATH (e.g. <c>git</c>); skipped, naming what is missing, where one is not installed.</summary>
public sealed class RequiresProgramFactAttribute : FactAttribute
{
    public RequiresProgramFactAttribute(params string[] programs) => Skip = SkipWhen.MissingPrograms(programs);
}

/// <summary>A theory that runs programs found on PATH; skipped, naming what is missing, where one is not installed.</summary>
public sealed class RequiresProgramTheoryAttribute : TheoryAttribute
{
    public RequiresProgramTheoryAttribute(params string[] programs) => Skip = SkipWhen.MissingPrograms(programs);
}

/// <summary>A fact that runs hook scripts: hook commands run through /bin/sh, and the scripts need these programs (bash, python3).</summary>
public sealed class HookScriptFactAttribute : FactAttribute
{
    public HookScriptFactAttribute(params string[] programs) =>
        Skip = SkipWhen.NotUnix("hook commands run through /bin/sh -c") ?? SkipWhen.MissingPrograms(programs);
}

/// <summary>
/// A fact that runs commands in the real bubblewrap sandbox; skipped with the reason off Linux, without <c>bwrap</c> on
/// PATH, or where it cannot create its namespaces (user namespaces disabled, a container that forbids them).
/// </summary>
public sealed class BubblewrapFactAttribute : FactAttribute
{
    public BubblewrapFactAttribute() => Skip = BubblewrapProbe.Reason.Value;
}

/// <summary>A data-driven test of the real Linux sandbox: skipped, with the reason, where <see cref="BubblewrapFactAttribute"/> is.</summary>
public sealed class BubblewrapTheoryAttribute : TheoryAttribute
{
    public BubblewrapTheoryAttribute() => Skip = BubblewrapProbe.Reason.Value;
}

/// <summary>
/// A test of the sandbox's network proxy (<c>sandbox.network_domains</c>): needs what <see cref="BubblewrapFactAttribute"/>
/// needs, and <c>socat</c> (the bridge inside the sandbox) and <c>curl</c> (the client the test runs) on PATH.
/// </summary>
public sealed class BubblewrapProxyFactAttribute : FactAttribute
{
    public BubblewrapProxyFactAttribute() =>
        Skip = BubblewrapProbe.Reason.Value ?? (SkipWhen.MissingPrograms(["socat", "curl"]) is { } missing ? missing + " (install Debian's socat and curl packages)" : null);
}

/// <summary>Whether <c>bwrap</c> can sandbox a command here, probed once per test process.</summary>
internal static class BubblewrapProbe
{
    public static readonly Lazy<string?> Reason = new(Probe);

    private static string? Probe()
    {
        if (SkipWhen.NotLinux("bubblewrap, the Linux sandbox") is { } notLinux)
        {
            return notLinux;
        }

        if (SkipWhen.MissingPrograms(["bwrap"]) is { } missing)
        {
            return missing + " (install the bubblewrap package)";
        }

        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("bwrap")
        {
            ArgumentList = { "--unshare-all", "--die-with-parent", "--new-session", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--", "/bin/sh", "-c", ":" },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        })!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? null : $"bwrap cannot create a sandbox on this machine (no user namespaces?): {error.Trim()}";
    }
}

/// <summary>A fact that needs macOS (its <c>sandbox-exec</c>); skipped elsewhere with the reason.</summary>
public sealed class MacFactAttribute : FactAttribute
{
    public MacFactAttribute(string why = "the macOS sandbox, /usr/bin/sandbox-exec") => Skip = OperatingSystem.IsMacOS() ? null : "needs macOS: " + why;
}

/// <summary>A fact that runs Node.js in the real bubblewrap sandbox; skipped with the reason where either is missing.</summary>
public sealed class BubblewrapNodeFactAttribute : FactAttribute
{
    public BubblewrapNodeFactAttribute() => Skip = BubblewrapProbe.Reason.Value ?? SkipWhen.MissingPrograms(["node"]);
}
