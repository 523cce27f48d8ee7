using System.Text;
using AgentHost.Common.Processes;
using AgentHost.Sdk.Tools;

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
/// <param name="ProjectRoot">The project root: the programs that keep the command's process group (setsid, the watchdog's sh) are never taken from it.</param>
internal sealed record ShellProgram(string Path, ShellKind Kind, string ProjectRoot)
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

    /// <summary>
    /// Finds the configured program, or the platform default: bash then sh on Unix; pwsh then powershell then cmd on
    /// Windows. Names are searched in the absolute PATH entries only, never in the working directory or the project.
    /// </summary>
    /// <param name="configured">The <c>program</c> setting, when set.</param>
    /// <param name="projectRoot">The project root: a shell found inside it is never used.</param>
    /// <returns>The program.</returns>
    /// <exception cref="ToolException">No usable shell was found.</exception>
    public static ShellProgram Resolve(string? configured, string projectRoot)
    {
        string[] refused = [projectRoot];
        if (configured is not null)
        {
            var kind = KindOf(configured)!.Value;
            var path = ProgramSearch.Find(configured, refusedRoots: refused) ?? throw new ToolException(
                $"the shell '{configured}' (setting {ShellSettings.Prefix}program) was not found on PATH (only absolute PATH entries outside the project are searched; a relative path is never run); install it, give its full path, or remove the setting to use the default shell.");
            return new ShellProgram(path, kind, projectRoot);
        }

        string[] candidates = OperatingSystem.IsWindows() ? ["pwsh", "powershell", "cmd"] : ["bash", "sh"];
        foreach (var candidate in candidates)
        {
            if (ProgramSearch.Find(candidate, refusedRoots: refused) is { } path)
            {
                return new ShellProgram(path, KindOf(candidate)!.Value, projectRoot);
            }
        }

        throw new ToolException(
            $"no shell was found on PATH (looked for {string.Join(", ", candidates)} in the absolute PATH entries); install one or set {ShellSettings.Prefix}program to a shell's full path.");
    }

    /// <summary>The editor every shell command gets (<c>GIT_EDITOR</c>, <c>GIT_SEQUENCE_EDITOR</c>, <c>EDITOR</c>, <c>VISUAL</c>): accepts the file as it is, at once.</summary>
    public const string NoEditor = "true";

    /// <summary>The pager every shell command gets (<c>GIT_PAGER</c>, <c>PAGER</c>): prints everything, waits for nothing.</summary>
    public const string NoPager = "cat";

    /// <summary>
    /// What to start for <paramref name="command"/>: stdout and stderr captured as UTF-8, no window, the environment the
    /// host built for the call (<see cref="ProcessSpec.BaseEnvironment"/>: never the agent's own secrets) with no editor
    /// or pager that waits (<see cref="NoEditor"/>, <see cref="NoPager"/>) and its PATH unchanged (the command was decided by the permission system as written), no input, and dying with the host
    /// (<see cref="ProcessSpec.DiesWithHost"/>: its own process group under the launcher's watchdog on Linux, a job
    /// object on Windows), so a kill takes everything it started.
    /// </summary>
    /// <param name="command">The command line.</param>
    /// <param name="workingDirectory">Where it runs.</param>
    /// <param name="sandbox">The host's sandbox for the call (<see cref="ProcessSpec.Sandbox"/>), or <see langword="null"/> for none.</param>
    /// <param name="environment">The complete environment the host built for the call (<see cref="ToolContext.GetProcessEnvironment"/>), or <see langword="null"/> to inherit the host's.</param>
    /// <returns>The specification (its program is an absolute path).</returns>
    public ProcessSpec CreateSpec(string command, string workingDirectory, ProcessSandbox? sandbox = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var variables = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            // A marker that commands can test for, and no credential prompts on a terminal the agent cannot answer.
            ["AGENTHOST"] = "1",
            ["GIT_TERMINAL_PROMPT"] = "0",

            // No editor or pager waits for a person nobody is: 'git commit' without -m ends (an empty message aborts it),
            // 'git rebase -i' runs its list as written. The variables win over a repository's core.editor,
            // sequence.editor and core.pager, and over the user's own EDITOR/VISUAL/PAGER. 'true' is a program on every
            // Unix and a builtin of the sh Git for Windows runs editors with; cat is there too.
            ["GIT_EDITOR"] = NoEditor,
            ["GIT_SEQUENCE_EDITOR"] = NoEditor,
            ["EDITOR"] = NoEditor,
            ["VISUAL"] = NoEditor,
            ["GIT_PAGER"] = NoPager,
            ["PAGER"] = NoPager,
        };
        var spec = new ProcessSpec(Path, [])
        {
            WorkingDirectory = workingDirectory,
            BaseEnvironment = environment,
            Environment = variables,
            AbsolutePathOnly = false,
            OutputEncoding = Encoding.UTF8,
            Purpose = "the shell",
            DiesWithHost = true,
            RefusedRoots = [ProjectRoot],
            Sandbox = sandbox,
        };
        switch (Kind)
        {
            case ShellKind.Posix:
                return spec with { Arguments = ["-c", command] };
            case ShellKind.PowerShell:
                // -EncodedCommand avoids every quoting rule; the prefix makes PowerShell write UTF-8 like the streams expect.
                var script = "[Console]::OutputEncoding = [System.Text.Encoding]::UTF8; $ProgressPreference = 'SilentlyContinue'\n" + command;
                return spec with { Arguments = ["-NoLogo", "-NoProfile", "-NonInteractive", "-EncodedCommand", Convert.ToBase64String(Encoding.Unicode.GetBytes(script))] };
            default:
                // cmd parses its own command line: /s /c "…" strips exactly the outer quotes and runs the rest as typed.
                return spec with { RawArguments = "/d /s /c \"" + command + "\"" };
        }
    }
}
