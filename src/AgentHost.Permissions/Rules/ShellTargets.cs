using AgentHost.Permissions.Paths;

namespace AgentHost.Permissions.Rules;

/// <summary>
/// Turns a parsed shell line into the targets the engine decides one by one: each command, the protected paths
/// well-known commands write (<c>cp x .agent/config.yaml</c>, <c>tee</c>, <c>mv</c>), each redirection, and the folder a
/// plain <c>cd</c> inside the sandbox moves to. Relative paths are resolved against the working directory the line has
/// reached (<c>cd /etc &amp;&amp; echo x &gt; passwd</c>), which is unknown after <c>cd -</c>, <c>popd</c>, <c>cd $X</c> or a
/// name looked up in a <c>CDPATH</c> the line sets.
/// </summary>
/// <remarks>Thread-safe; reads the file system through the <see cref="PathSandbox"/>.</remarks>
internal sealed class ShellTargets
{
    /// <summary>Commands whose every operand is written (created, changed, removed).</summary>
    private static readonly HashSet<string> WritesEveryOperand = new(StringComparer.Ordinal)
    {
        "tee", "touch", "truncate", "rm", "rmdir", "unlink", "mkdir", "mv", "chmod", "chown", "shred",
    };

    /// <summary>Commands whose last operand (or <c>-t DIR</c>) is written, the others read.</summary>
    private static readonly HashSet<string> WritesLastOperand = new(StringComparer.Ordinal) { "cp", "install", "ln", "rsync" };

    private readonly PathSandbox _sandbox;

    /// <summary>Creates the shell-line analysis of a sandbox.</summary>
    /// <param name="sandbox">Resolves the paths and knows the protected places.</param>
    public ShellTargets(PathSandbox sandbox) => _sandbox = sandbox;

    /// <summary>The targets of a shell call's line (one command target for a line the parser could not read).</summary>
    /// <param name="call">The shell call (its subject is the line; its working directory is where it starts).</param>
    /// <param name="parsed">The parsed line.</param>
    /// <returns>The targets, in the order of the line; never empty.</returns>
    public List<Target> Build(PermissionCall call, ShellParseResult parsed)
    {
        var targets = new List<Target>();
        if (parsed.Error is not null)
        {
            targets.Add(new Target(TargetKind.Command, call.Subject!.Trim()) { Unparsed = parsed.Error, Dynamic = true });
            return targets;
        }

        // Relative paths are resolved against the working directory the line has reached: 'cd /etc && echo x > passwd'.
        var directory = StartDirectory(call);
        var searchPath = call.Subject!.Contains("CDPATH", StringComparison.Ordinal);
        foreach (var part in parsed.Parts)
        {
            if (ChangeDirectoryTarget(part, directory, searchPath) is { } into)
            {
                // 'cd src' inside the sandbox only moves: decided like reading that folder; what follows is decided on its own.
                targets.Add(into);
            }
            else if (part.Words.Count > 0)
            {
                targets.Add(new Target(TargetKind.Command, part.CommandLine) { Part = part, Dynamic = part.IsDynamic, BaseDirectory = directory });
                targets.AddRange(ProtectedArgumentTargets(part, directory));
            }

            foreach (var redirect in part.Redirects)
            {
                if (redirect.IsWrite && PathSandbox.IsNullDevice(redirect.Target))
                {
                    continue;
                }

                // $HOME and ~ are known; other expansions, ~user and unquoted globs are only known at run time.
                var kind = redirect.IsWrite ? TargetKind.Write : TargetKind.Read;
                var target = redirect.IsGlob ? _sandbox.GlobTarget(kind, redirect.Target, directory) : _sandbox.PathTarget(kind, redirect.Target, dynamic: false, directory);
                targets.Add(target with { ViaRedirect = true });
            }

            directory = NextDirectory(part, directory, searchPath);
        }

        if (targets.Count == 0)
        {
            targets.Add(new Target(TargetKind.Command, call.Subject!.Trim()));
        }

        return targets;
    }

    /// <summary>
    /// The working directory after a command: <c>cd DIR</c>, <c>pushd DIR</c>, <c>cd</c> (home); <see langword="null"/>
    /// when only known at run time (<c>cd -</c>, <c>popd</c>, <c>cd $X</c>, or a name looked up in a <c>CDPATH</c> the line sets).
    /// </summary>
    private string? NextDirectory(ShellCommandPart part, string? directory, bool searchPath)
    {
        if (part.Words.Count == 0 || Path.GetFileName(part.Words[0]) is not ("cd" or "pushd" or "popd" or "chdir"))
        {
            return directory;
        }

        var arguments = part.Words.Skip(1).Where(word => !(word.StartsWith('-') && word.Length > 1)).ToList();
        if (part.Words[0] == "popd" || arguments.Count > 1 || part.ExpandedWords.Count > 0)
        {
            return null;
        }

        if (arguments.Count == 0)
        {
            return part.Words[0] == "pushd" ? null : _sandbox.Home; // 'pushd' alone swaps with the stack
        }

        var target = _sandbox.Expand(arguments[0]);
        if (target == "-" || PathSandbox.HasExpansion(target) || PathSandbox.IsOtherUsersHome(arguments[0]) || (directory is null && !PathSandbox.IsRooted(target))
            || (searchPath && !PathSandbox.IsRooted(target) && !target.StartsWith('.')))
        {
            return null;
        }

        try
        {
            return PathSandbox.RealPath(Path.Combine(directory ?? _sandbox.Root, target.Replace('\\', '/')), lexicalLinks: false);
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or NotSupportedException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// The directory a plain <c>cd DIR</c> / <c>pushd DIR</c> moves to, as a read target, when it is inside the
    /// sandbox; <see langword="null"/> for anything else (decided as a command).
    /// </summary>
    private Target? ChangeDirectoryTarget(ShellCommandPart part, string? directory, bool searchPath)
    {
        if (part.Words.Count != 2 || part.Words[0] is not ("cd" or "pushd" or "chdir") || part.Prefix.Count > 0
            || NextDirectory(part, directory, searchPath) is not { } next || !_sandbox.Contains(next))
        {
            return null;
        }

        return _sandbox.PathTarget(TargetKind.Read, next, dynamic: false, directory) with { Part = part };
    }

    /// <summary>Where a shell call starts: the root, or the tool's working directory resolved against it.</summary>
    private string? StartDirectory(PermissionCall call)
    {
        if (call.WorkingDirectory is not { Length: > 0 } workingDirectory)
        {
            return _sandbox.Root;
        }

        try
        {
            return PathSandbox.RealPath(Path.Combine(_sandbox.Root, _sandbox.Expand(workingDirectory).Replace('\\', '/')), lexicalLinks: false);
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or NotSupportedException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Write targets for the protected paths a command's arguments name, or none.</summary>
    private IEnumerable<Target> ProtectedArgumentTargets(ShellCommandPart part, string? directory)
    {
        if (part.Words.Count < 2)
        {
            yield break;
        }

        var name = Path.GetFileName(part.Words[0]);
        var every = WritesEveryOperand.Contains(name);
        if (!every && !WritesLastOperand.Contains(name) && name != "dd")
        {
            yield break;
        }

        var operands = new List<string>();
        string? targetDirectory = null;
        var options = true;
        for (var i = 1; i < part.Words.Count; i++)
        {
            var word = part.Words[i];
            if (options && word == "--")
            {
                options = false;
            }
            else if (name == "dd")
            {
                if (word.StartsWith("of=", StringComparison.Ordinal))
                {
                    operands.Add(word[3..]);
                }
            }
            else if (options && word is "-t" && i + 1 < part.Words.Count)
            {
                targetDirectory = part.Words[++i];
            }
            else if (options && word.StartsWith("--target-directory=", StringComparison.Ordinal))
            {
                targetDirectory = word["--target-directory=".Length..];
            }
            else if (!options || !word.StartsWith('-') || word == "-")
            {
                operands.Add(word);
            }
        }

        IEnumerable<string> written = every || name == "dd" ? operands
            : targetDirectory is not null ? Into(targetDirectory, operands, directory)
            : operands.Count > 1 ? Into(operands[^1], operands[..^1], directory)
            : [];
        foreach (var path in written.Where(path => path.Length > 0))
        {
            // The project root itself ('rm -rf ./', 'chmod -R u+w .') is decided as the command, as before.
            var target = _sandbox.PathTarget(TargetKind.Write, path, PathSandbox.HasExpansion(path), directory) with { ViaRedirect = true };
            if (_sandbox.Protection(target) is not null && !target.RealPaths.Any(real => string.Equals(Path.TrimEndingDirectorySeparator(real), _sandbox.Root, StringComparison.Ordinal)))
            {
                yield return target;
            }
        }
    }

    /// <summary>What copying <paramref name="sources"/> to <paramref name="destination"/> writes: each source's name inside an existing folder (or one written with a trailing <c>/</c>), else the destination itself.</summary>
    private List<string> Into(string destination, IReadOnlyList<string> sources, string? directory)
    {
        bool folder;
        try
        {
            folder = destination.EndsWith('/') || (!PathSandbox.HasExpansion(destination) && Directory.Exists(Path.GetFullPath(_sandbox.Expand(destination), directory ?? _sandbox.Root)));
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or NotSupportedException or UnauthorizedAccessException)
        {
            folder = false;
        }

        return folder ? [.. sources.Select(source => destination.TrimEnd('/') + "/" + Path.GetFileName(source.TrimEnd('/')))] : [destination];
    }
}
