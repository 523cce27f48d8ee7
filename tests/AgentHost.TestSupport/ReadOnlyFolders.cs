using System.Diagnostics;

namespace AgentHost.Tests.Sessions;

/// <summary>
/// Makes files and folders read-only for real: <c>chmod</c> for a normal user; as root (where chmod does not restrict)
/// the immutable attribute (<c>chattr +i</c>), when this file system and sandbox allow it. Probed once.
/// </summary>
public static class ReadOnlyFolders
{
    private static readonly Lazy<(string? Method, string? Why)> Probe = new(ProbeOnce);

    /// <summary>Why read-only folders cannot be made here, or <see langword="null"/> when they can.</summary>
    public static string? SkipReason => Probe.Value.Why;

    public static void Protect(string path) => Apply(path, on: true);

    public static void Release(string path) => Apply(path, on: false);

    private static void Apply(string path, bool on)
    {
        if (OperatingSystem.IsWindows() || Probe.Value.Method is null)
        {
            // Only tests marked [ReadOnlyFolderTheory] get here, and they are skipped with this reason first.
            throw new InvalidOperationException("read-only folders cannot be made here: " + Probe.Value.Why);
        }

        if (Probe.Value.Method == "chmod")
        {
            var directory = Directory.Exists(path);
            File.SetUnixFileMode(path, on
                ? UnixFileMode.UserRead | (directory ? UnixFileMode.UserExecute : 0)
                : UnixFileMode.UserRead | UnixFileMode.UserWrite | (directory ? UnixFileMode.UserExecute : 0));
        }
        else if (Probe.Value.Method == "chattr" && !Run("chattr", on ? "+i" : "-i", path))
        {
            throw new InvalidOperationException($"chattr {(on ? "+i" : "-i")} {path} failed");
        }
    }

    private static (string? Method, string? Why) ProbeOnce()
    {
        if (OperatingSystem.IsWindows())
        {
            return (null, "read-only folders are made with chmod or chattr, which Windows does not have");
        }

        var probe = Path.Combine(Path.GetTempPath(), "agent-ro-probe-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(probe);
        try
        {
            File.SetUnixFileMode(probe, UnixFileMode.UserRead | UnixFileMode.UserExecute);
            if (!CanCreateFileIn(probe))
            {
                return ("chmod", null);
            }

            File.SetUnixFileMode(probe, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            if (Run("chattr", "+i", probe))
            {
                var restricted = !CanCreateFileIn(probe);
                Run("chattr", "-i", probe);
                if (restricted)
                {
                    return ("chattr", null);
                }
            }

            return (null, "running as root, where chmod does not restrict, and chattr +i is not available on this file system");
        }
        finally
        {
            Directory.Delete(probe, recursive: true);
        }
    }

    private static bool CanCreateFileIn(string folder)
    {
        try
        {
            File.WriteAllText(Path.Combine(folder, "x"), "x");
            File.Delete(Path.Combine(folder, "x"));
            return true;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Runs a system program (chattr, mount, umount) to its end; whether it succeeded.</summary>
    internal static bool Run(string program, params string[] args)
    {
        try
        {
            var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var arg in args)
            {
                start.ArgumentList.Add(arg);
            }

            using var process = Process.Start(start)!;
            process.WaitForExit();
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}

/// <summary>A theory that needs <see cref="ReadOnlyFolders"/>; skipped with the reason where they cannot be made.</summary>
public sealed class ReadOnlyFolderTheoryAttribute : TheoryAttribute
{
    public ReadOnlyFolderTheoryAttribute() => Skip = ReadOnlyFolders.SkipReason;
}

/// <summary>A fact that mounts a tiny tmpfs (root on Linux, where the sandbox allows mounts); skipped with the reason otherwise.</summary>
public sealed class TinyDiskFactAttribute : FactAttribute
{
    public TinyDiskFactAttribute() => Skip = TinyDisk.SkipReason;
}

/// <summary>A real, tiny, full-able file system: a tmpfs mount.</summary>
public sealed class TinyDisk : IDisposable
{
    private static readonly Lazy<string?> Probe = new(() =>
    {
        if (!OperatingSystem.IsLinux())
        {
            return "a tiny disk is a tmpfs mount, which needs Linux";
        }

        try
        {
            using var disk = new TinyDisk(64);
            return null;
        }
        catch (InvalidOperationException ex)
        {
            return "cannot mount a tmpfs here (needs root and a sandbox that allows mounts): " + ex.Message;
        }
    });

    public TinyDisk(int kilobytes)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "agent-tiny-disk-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
        if (!ReadOnlyFolders.Run("mount", "-t", "tmpfs", "-o", $"size={kilobytes}k", "tmpfs", Path))
        {
            Directory.Delete(Path);
            throw new InvalidOperationException("mount -t tmpfs failed");
        }
    }

    public static string? SkipReason => Probe.Value;

    public string Path { get; }

    /// <summary>Fills the disk to the last byte with a filler file; returns the filler's path.</summary>
    public string Fill()
    {
        var filler = System.IO.Path.Combine(Path, "filler");
        using var stream = new FileStream(filler, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0);
        var block = new byte[4096];
        try
        {
            while (true)
            {
                stream.Write(block);
            }
        }
        catch (IOException)
        {
            // Full.
        }

        return filler;
    }

    public void Dispose()
    {
        ReadOnlyFolders.Run("umount", Path);
        Directory.Delete(Path, recursive: true);
    }
}
