using AgentHost.Common.Git;
using AgentHost.Common.Processes;

namespace AgentHost.Hosting;

/// <summary>
/// Runs read-only <c>git</c> commands for the kernel and CLI (status for the prompt, file lists for <c>agent init</c> and
/// <c>@dir/</c>): git is found by <see cref="ProgramSearch"/> (absolute PATH entries, never inside the project), and
/// every program a repository's configuration could name (fsmonitor, hooks, pager, diff drivers, filters, ssh,
/// credential helpers, gpg) is switched off by <see cref="SafeGit"/>.
/// </summary>
public static class GitProcess
{
    /// <summary>Sub-commands that read file contents, for which the repository's filter and diff drivers are blanked first.</summary>
    private static readonly HashSet<string> ReadsContent = new(StringComparer.Ordinal) { "status", "diff", "log", "show", "blame", "grep", "cat-file" };

    /// <summary>
    /// Starts a read-only git command in <paramref name="directory"/>, output as UTF-8, standard input closed.
    /// </summary>
    /// <param name="executable">The git executable: <c>git</c> (searched on PATH) or an absolute path the user configured.</param>
    /// <param name="directory">The working directory; git programs inside it are never run.</param>
    /// <param name="arguments">The arguments, sub-command first.</param>
    /// <param name="projectRoot">The project root, when <paramref name="directory"/> is below it: git programs inside it are never run either.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The process (dispose it: that kills what is left of it), or <see langword="null"/> when git is missing or could not start.</returns>
    public static async Task<OwnedProcess?> TryStartAsync(string executable, string directory, IReadOnlyList<string> arguments, string? projectRoot = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        try
        {
            var spec = await SpecAsync(executable, directory, arguments, projectRoot ?? directory, cancellationToken).ConfigureAwait(false);
            return spec is null ? null : ProcessLauncher.Start(spec);
        }
        catch (ProgramStartException)
        {
            return null;
        }
    }

    /// <summary>Runs a read-only git command to its end and returns its standard output, or <see langword="null"/> when git is missing or fails.</summary>
    /// <param name="executable">The git executable: <c>git</c> (searched on PATH) or an absolute path the user configured.</param>
    /// <param name="directory">The working directory; git programs inside it are never run.</param>
    /// <param name="arguments">The arguments, sub-command first.</param>
    /// <param name="projectRoot">The project root, when <paramref name="directory"/> is below it.</param>
    /// <param name="cancellationToken">Cancellation (kills git).</param>
    /// <returns>The output, or <see langword="null"/>.</returns>
    public static async Task<string?> TryReadAsync(string executable, string directory, IReadOnlyList<string> arguments, string? projectRoot = null, CancellationToken cancellationToken = default)
    {
        if (await TryStartAsync(executable, directory, arguments, projectRoot, cancellationToken).ConfigureAwait(false) is not { } process)
        {
            return null;
        }

        using (process)
        {
            var errors = process.Process.StandardError.ReadToEndAsync(cancellationToken);
            var output = await process.Process.StandardOutput.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
            await errors.ConfigureAwait(false);
            await process.Process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            return process.Process.ExitCode == 0 ? output : null;
        }
    }

    /// <summary>The start specification of a read-only git call (the repository's drivers blanked when the call reads contents).</summary>
    /// <returns>The specification, or <see langword="null"/> when git is missing.</returns>
    private static async Task<ProcessSpec?> SpecAsync(string executable, string directory, IReadOnlyList<string> arguments, string projectRoot, CancellationToken cancellationToken)
    {
        var refused = new[] { directory, projectRoot };
        var environment = SafeGit.Environment(readOnly: true);
        var baseSpec = new ProcessSpec(executable, [.. SafeGit.GlobalArguments(readOnly: true), .. SafeGit.WithSubcommandSwitches(arguments)])
        {
            WorkingDirectory = directory,
            Environment = environment,
            RefusedRoots = refused,
            Purpose = "git",
        };
        if (ProgramSearch.Find(executable, refusedRoots: refused) is null)
        {
            return null;
        }

        if (arguments.Count == 0 || !ReadsContent.Contains(arguments[0]))
        {
            return baseSpec;
        }

        var list = await ProcessLauncher.RunAsync(
            baseSpec with { Arguments = [.. SafeGit.GlobalArguments(readOnly: true), .. SafeGit.ListDriversArguments] },
            TimeSpan.FromSeconds(10),
            cancellationToken: cancellationToken).ConfigureAwait(false);
        foreach (var (key, value) in SafeGit.DriverOverrides(list.ExitCode == 0 ? list.Output : string.Empty))
        {
            environment[key] = value;
        }

        return baseSpec with { Environment = environment };
    }
}
