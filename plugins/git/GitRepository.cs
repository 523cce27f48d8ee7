using AgentHost.Common.Git;
using AgentHost.Sdk.Tools;

namespace AgentHost.Plugins.Git;

/// <summary>
/// The git repository holding the project root, opened for one tool call. Commands run in the project root
/// (<c>git -C root</c>); paths given by the model are checked against it and passed after <c>--</c>.
/// </summary>
internal sealed class GitRepository
{
    private readonly string _program;
    private readonly GitSettings _settings;
    private readonly IReadOnlyDictionary<string, string?> _driverOverrides;
    private readonly IReadOnlyDictionary<string, string>? _environment;

    private GitRepository(string program, GitSettings settings, WorkspacePaths paths, string topLevel, string prefix, IReadOnlyDictionary<string, string?> driverOverrides, IReadOnlyDictionary<string, string>? environment)
    {
        _program = program;
        _environment = environment;
        _driverOverrides = driverOverrides;
        _settings = settings;
        Paths = paths;
        TopLevel = topLevel;
        Prefix = prefix;
    }

    public WorkspacePaths Paths { get; }

    /// <summary>The working tree's top folder, as git prints it.</summary>
    public string TopLevel { get; }

    /// <summary>The project root relative to <see cref="TopLevel"/> with a trailing <c>/</c>, or empty when they are the same.</summary>
    public string Prefix { get; }

    public GitSettings Settings => _settings;

    /// <summary>Finds git and the repository that holds the project root.</summary>
    /// <param name="paths">The call's workspace.</param>
    /// <param name="settings">The plugin's settings.</param>
    /// <param name="environment">
    /// The complete environment git gets (<see cref="ToolContext.GetProcessEnvironment"/>: on a server the session's, in
    /// the CLI the user's without the agent's settings and secret-named variables), or <see langword="null"/> to inherit the host's.
    /// </param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <exception cref="ToolException">git is missing, or the root is not inside a working tree.</exception>
    public static async Task<GitRepository> OpenAsync(WorkspacePaths paths, GitSettings settings, IReadOnlyDictionary<string, string>? environment, CancellationToken cancellationToken)
    {
        var program = GitProgram.Resolve(settings.Program, paths);
        var result = await GitProcess.RunAsync(
            program, paths.Root, new GitCommand(["rev-parse", "--show-toplevel", "--show-prefix"]), settings.Timeout, null, environment, cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            var message = result.Messages;
            if (message.Contains("not a git repository", StringComparison.OrdinalIgnoreCase))
            {
                throw new ToolException($"not a git repository: the project root {paths.Root} is not inside a git working tree; run git init there to create one (or start the agent inside a repository).");
            }

            if (message.Contains("must be run in a work tree", StringComparison.OrdinalIgnoreCase))
            {
                throw new ToolException($"the project root {paths.Root} is inside a git folder or a bare repository, not a working tree; open the agent in the repository's working tree.");
            }

            throw new ToolException($"git could not open the repository at {paths.Root}:\n{message}");
        }

        var lines = result.Output.Split('\n');
        var prefix = lines.Length > 1 ? lines[1].Trim('\r') : string.Empty;

        // The filter and diff drivers the repository's own configuration defines name programs: every call blanks them.
        var drivers = await GitProcess.RunAsync(program, paths.Root, new GitCommand(SafeGit.ListDriversArguments), settings.Timeout, null, environment, cancellationToken).ConfigureAwait(false);
        var overrides = SafeGit.DriverOverrides(drivers.ExitCode == 0 ? drivers.Output : string.Empty);
        return new GitRepository(program, settings, paths, lines[0].Trim('\r'), prefix, overrides, environment);
    }

    /// <summary>Runs a git command in the project root.</summary>
    public Task<GitResult> RunAsync(GitCommand command, CancellationToken cancellationToken) =>
        GitProcess.RunAsync(_program, Paths.Root, command, _settings.Timeout, _driverOverrides, _environment, cancellationToken);

    /// <summary>Runs a read-only command and returns its output; a failure becomes a <see cref="ToolException"/> with git's message.</summary>
    public async Task<GitResult> ReadAsync(IReadOnlyList<string> arguments, int maxOutputCharacters, CancellationToken cancellationToken)
    {
        var result = await RunAsync(new GitCommand(arguments) { MaxOutputCharacters = maxOutputCharacters }, cancellationToken).ConfigureAwait(false);
        return result.Succeeded ? result : throw Failed(arguments[0], result);
    }

    /// <summary>A failure carrying git's own message.</summary>
    public static ToolException Failed(string subcommand, GitResult result, string? hint = null)
    {
        var message = result.Messages;
        return new ToolException($"git {subcommand} failed (exit code {result.ExitCode}){(message.Length > 0 ? ":\n" + message : ".")}{(hint is null ? string.Empty : "\n" + hint)}");
    }

    /// <summary>
    /// Checks a path given by the model and returns it as a pathspec relative to the project root (where git runs).
    /// Symbolic links are resolved for the check, but the pathspec names the link itself, as git expects.
    /// </summary>
    /// <param name="path">The path, relative to the project root or absolute inside it.</param>
    /// <param name="field">The argument name, for messages.</param>
    /// <returns>The pathspec, with <c>/</c> separators (<c>.</c> for the root).</returns>
    public string Pathspec(string? path, string field)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new ToolException($"{field} has an empty path; pass a path relative to the project root ('.' for all of it).");
        }

        if (path.StartsWith('-'))
        {
            throw new ToolException($"{field}: '{path}' starts with '-', which git would read as an option; to name a file that starts with '-', write './{path}'.");
        }

        if (path.Contains('\0', StringComparison.Ordinal))
        {
            throw new ToolException($"{field}: the path contains a NUL character; no file can have this name.");
        }

        if (Paths.Resolve(path) is not { } real)
        {
            throw new ToolException($"{field}: '{path}' is outside the project root; only paths inside {Paths.Root} can be used.");
        }

        var lexical = Path.GetFullPath(path, Paths.Root);
        var relative = Path.GetRelativePath(Paths.Root, lexical);
        if (relative == ".." || relative.StartsWith(".." + Path.DirectorySeparatorChar, StringComparison.Ordinal) || Path.IsPathFullyQualified(relative))
        {
            // An absolute path spelled through a link to the root (/tmp vs /private/tmp): use the resolved one.
            relative = Path.GetRelativePath(Paths.Root, real);
        }

        return relative.Replace('\\', '/');
    }

    /// <summary>Checks a revision (branch, tag, commit, <c>HEAD~2</c>, <c>a..b</c>) given by the model.</summary>
    /// <param name="value">The revision.</param>
    /// <param name="field">The argument name, for messages.</param>
    /// <returns>The trimmed revision.</returns>
    public static string Revision(string? value, string field)
    {
        var text = value?.Trim() ?? string.Empty;
        if (text.Length == 0)
        {
            throw new ToolException($"{field} is empty; pass a branch, tag or commit (for example HEAD~1), or leave it out.");
        }

        if (text.StartsWith('-'))
        {
            throw new ToolException($"{field}: '{text}' starts with '-', which git would read as an option; pass a branch, tag or commit instead.");
        }

        if (text.Any(char.IsControl))
        {
            throw new ToolException($"{field}: '{text}' contains control characters; pass a branch, tag or commit.");
        }

        return text;
    }

    /// <summary>A path printed by git (relative to the top of the working tree) made relative to the project root.</summary>
    public string Display(string repositoryPath)
    {
        if (Prefix.Length == 0)
        {
            return repositoryPath;
        }

        if (repositoryPath.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return repositoryPath.Length == Prefix.Length ? "./" : repositoryPath[Prefix.Length..];
        }

        var root = Prefix.TrimEnd('/').Split('/');
        var target = repositoryPath.Split('/');
        var common = 0;
        while (common < root.Length && common < target.Length - 1 && root[common] == target[common])
        {
            common++;
        }

        return string.Join('/', Enumerable.Repeat("..", root.Length - common).Concat(target[common..]));
    }

    /// <summary>The current branch, or <see langword="null"/> when HEAD is detached.</summary>
    public async Task<string?> CurrentBranchAsync(CancellationToken cancellationToken)
    {
        var result = await RunAsync(new GitCommand(["symbolic-ref", "--quiet", "--short", "HEAD"]), cancellationToken).ConfigureAwait(false);
        return result.ExitCode == 0 ? result.Output.Trim() : null;
    }

    /// <summary>The abbreviated id and subject of a commit, or <see langword="null"/> when there is none (no commits yet).</summary>
    public async Task<(string Id, string Subject)?> CommitAsync(string revision, CancellationToken cancellationToken)
    {
        var result = await RunAsync(
            new GitCommand(["log", "-1", "--no-show-signature", "--format=%h%x00%s", "--end-of-options", revision, "--"]), cancellationToken).ConfigureAwait(false);
        var parts = result.Output.TrimEnd('\n').Split('\0');
        return result.ExitCode == 0 && parts.Length == 2 ? (parts[0], parts[1]) : null;
    }
}
