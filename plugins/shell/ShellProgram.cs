using System.Diagnostics;
using System.Text;

namespace AgentHost.Plugins.Shell;

/// <summary>The command-line dialect of a shell: how a command is passed and how the banned-command check splits it.</summary>
internal enum ShellKind
{
    /// <summary>bash, sh, zsh, dash, ksh: <c>-c command</c>.</summary>
    Posix,

    /// <summary>pwsh or Windows PowerShell: <c>-NoProfile -NonInteractive -EncodedCommand …</c>.</summary>
    PowerShell,

    /// <summary>cmd.exe: <c>/d /s /c "command"</c>.</summary>
    Cmd,
}

/// <summary>A resolved shell executable, and how to start a command line with it.</summary>
/// <param name="Path">The executable's full path.</param>
/// <param name="Kind">Its dialect.</param>
/// <param name="SetsidPath">On Linux, <c>setsid</c> to start the shell in a new session and process group (killed as a whole); else <see langword="null"/>.</param>
internal sealed record ShellProgram(string Path, ShellKind Kind, string? SetsidPath)
{
    /// <summary>The dialect of a program name or path, or <see langword="null"/> when it is not a supported shell.</summary>
    /// <param name="program">A name (<c>bash</c>) or path (<c>C:\…\pwsh.exe</c>).</param>
    /// <returns>The kind.</returns>
    public static ShellKind? KindOf(string program)
    {
        var name = System.IO.Path.GetFileName(program.Replace('\\', '/').TrimEnd('/'));
        if (name.EndsWith(".exe", StringComparison.OrdinalIgnoreCase))
        {
            name = name[..^4];
        }

        return name.ToLowerInvariant() switch
        {
            "bash" or "sh" or "zsh" or "dash" or "ksh" or "ash" => ShellKind.Posix,
            "pwsh" or "powershell" => ShellKind.PowerShell,
            "cmd" => ShellKind.Cmd,
            _ => null,
        };
    }

    /// <summary>Finds the configured program, or the platform default: bash then sh on Unix; pwsh then powershell then cmd on Windows.</summary>
    /// <param name="configured">The <c>program</c> setting, when set.</param>
    /// <returns>The program.</returns>
    /// <exception cref="ToolFailure">No usable shell was found.</exception>
    public static ShellProgram Resolve(string? configured)
    {
        var setsid = OperatingSystem.IsLinux() ? ExecutableFinder.Find("setsid") : null;
        if (configured is not null)
        {
            var kind = KindOf(configured)!.Value;
            var path = ExecutableFinder.Find(configured) ?? throw new ToolFailure(
                $"the shell '{configured}' (setting {ShellSettings.Prefix}program) was not found on PATH; install it, give its full path, or remove the setting to use the default shell.");
            return new ShellProgram(path, kind, kind == ShellKind.Posix ? setsid : null);
        }

        string[] candidates = OperatingSystem.IsWindows() ? ["pwsh", "powershell", "cmd"] : ["bash", "sh"];
        foreach (var candidate in candidates)
        {
            if (ExecutableFinder.Find(candidate) is { } path)
            {
                return new ShellProgram(path, KindOf(candidate)!.Value, OperatingSystem.IsWindows() ? null : setsid);
            }
        }

        throw new ToolFailure(
            $"no shell was found on PATH (looked for {string.Join(", ", candidates)}); install one or set {ShellSettings.Prefix}program to a shell's full path.");
    }

    /// <summary>Creates the start information for <paramref name="command"/>: no stdin, stdout and stderr captured as UTF-8, no window.</summary>
    /// <param name="command">The command line.</param>
    /// <param name="workingDirectory">Where it runs.</param>
    /// <returns>The start information.</returns>
    public ProcessStartInfo CreateStartInfo(string command, string workingDirectory)
    {
        var info = new ProcessStartInfo
        {
            WorkingDirectory = workingDirectory,
            UseShellExecute = false,
            CreateNoWindow = true,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        switch (Kind)
        {
            case ShellKind.Posix when SetsidPath is not null:
                info.FileName = SetsidPath;
                info.ArgumentList.Add(Path);
                info.ArgumentList.Add("-c");
                info.ArgumentList.Add(command);
                break;
            case ShellKind.Posix:
                info.FileName = Path;
                info.ArgumentList.Add("-c");
                info.ArgumentList.Add(command);
                break;
            case ShellKind.PowerShell:
                // -EncodedCommand avoids every quoting rule; the prefix makes PowerShell write UTF-8 like the streams expect.
                var script = "[Console]::OutputEncoding = [System.Text.Encoding]::UTF8; $ProgressPreference = 'SilentlyContinue'\n" + command;
                info.FileName = Path;
                foreach (var argument in (string[])["-NoLogo", "-NoProfile", "-NonInteractive", "-EncodedCommand", Convert.ToBase64String(Encoding.Unicode.GetBytes(script))])
                {
                    info.ArgumentList.Add(argument);
                }

                break;
            default:
                // cmd parses its own command line: /s /c "…" strips exactly the outer quotes and runs the rest as typed.
                info.FileName = Path;
                info.Arguments = "/d /s /c \"" + command + "\"";
                break;
        }

        // A marker that commands can test for, and no credential prompts on a terminal the agent cannot answer.
        info.Environment["AGENTHOST"] = "1";
        info.Environment["GIT_TERMINAL_PROMPT"] = "0";
        return info;
    }
}

/// <summary>Looks up executables on <c>PATH</c> (with <c>PATHEXT</c> on Windows).</summary>
internal static class ExecutableFinder
{
    /// <summary>The full path of <paramref name="program"/> (a name searched on PATH, or a path), or <see langword="null"/>.</summary>
    /// <param name="program">A name or path.</param>
    /// <returns>The full path.</returns>
    public static string? Find(string program)
    {
        var extensions = OperatingSystem.IsWindows()
            ? (Environment.GetEnvironmentVariable("PATHEXT") ?? ".COM;.EXE;.BAT;.CMD").Split(';', StringSplitOptions.RemoveEmptyEntries).Prepend(string.Empty).ToArray()
            : [string.Empty];
        if (program.Contains('/', StringComparison.Ordinal) || program.Contains('\\', StringComparison.Ordinal))
        {
            return extensions.Select(e => Path.GetFullPath(program + e)).FirstOrDefault(File.Exists);
        }

        var directories = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        return directories
            .SelectMany(d => extensions.Select(e => Path.Combine(d.Trim('"'), program + e)))
            .FirstOrDefault(File.Exists);
    }
}
