namespace AgentHost.Kernel.Permissions;

// Well-known commands that write the files they are given as arguments ('cp x .agent/config.yaml', 'tee', 'mv'): an
// argument that is a protected path becomes a write target of the line, so it asks like a redirection would. Only
// protected paths are added (other arguments are decided as the command, as before); arguments known only at run time
// are matched by the names they spell.
public sealed partial class PermissionEngine
{
    /// <summary>Commands whose every operand is written (created, changed, removed).</summary>
    private static readonly HashSet<string> WritesEveryOperand = new(StringComparer.Ordinal)
    {
        "tee", "touch", "truncate", "rm", "rmdir", "unlink", "mkdir", "mv", "chmod", "chown", "shred",
    };

    /// <summary>Commands whose last operand (or <c>-t DIR</c>) is written, the others read.</summary>
    private static readonly HashSet<string> WritesLastOperand = new(StringComparer.Ordinal) { "cp", "install", "ln", "rsync" };

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
            var target = PathTarget(TargetKind.Write, path, HasExpansion(path), directory) with { ViaRedirect = true };
            if (Protection(target) is not null && !target.RealPaths.Any(real => string.Equals(Path.TrimEndingDirectorySeparator(real), Root, StringComparison.Ordinal)))
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
            folder = destination.EndsWith('/') || (!HasExpansion(destination) && Directory.Exists(Path.GetFullPath(Expand(destination), directory ?? Root)));
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or NotSupportedException or UnauthorizedAccessException)
        {
            folder = false;
        }

        return folder ? [.. sources.Select(source => destination.TrimEnd('/') + "/" + Path.GetFileName(source.TrimEnd('/')))] : [destination];
    }
}
