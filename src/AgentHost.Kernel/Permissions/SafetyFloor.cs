namespace AgentHost.Kernel.Permissions;

/// <summary>
/// Calls that are denied in every mode, yolo included, unless configuration says <c>permissions.safety_floor: false</c>:
/// recursive deletion of <c>/</c> or the home directory, writes inside a <c>.git</c> folder through file tools or
/// redirections, and reading common credential stores (<c>~/.ssh/id_*</c>, <c>~/.aws/credentials</c>,
/// <c>~/.config/gcloud/**</c>, <c>~/.netrc</c>, <c>~/.docker/config.json</c>). <c>.env</c> files are not in the floor.
/// </summary>
internal sealed class SafetyFloor
{
    private static readonly string[] CredentialStores = ["~/.ssh/id_*", "~/.aws/credentials", "~/.config/gcloud", "~/.netrc", "~/.docker/config.json"];

    /// <summary>Folders holding credential stores: a command given one of them (<c>tar c ~/.ssh</c>) reads the stores inside.</summary>
    private static readonly string[] CredentialFolders = [".ssh", ".aws", ".docker", ".config", Path.Combine(".config", "gcloud")];

    private readonly string _home;
    private readonly PathPattern[] _credentials;

    public SafetyFloor(string realHome)
    {
        _home = realHome.TrimEnd('/', '\\');
        _credentials = [.. CredentialStores.Select(pattern => PathPattern.Compile(pattern, "/", _home, ignoreCase: true))];
    }

    /// <summary>Why a command part is below the floor, or <see langword="null"/>.</summary>
    public string? CheckCommand(ShellCommandPart part, Func<string, List<string>> resolveWord)
    {
        if (part.Words.Count == 0)
        {
            return null;
        }

        var name = Path.GetFileName(part.Words[0]);
        if (name == "rm" && IsRecursive(part.Words))
        {
            foreach (var word in part.Words.Skip(1).Where(word => !word.StartsWith('-')))
            {
                if (IsRootOrHome(word, resolveWord))
                {
                    return $"safety floor: recursive delete of '{word}' (the file system root or your home directory) is never allowed";
                }
            }
        }

        foreach (var word in part.Words.Skip(1))
        {
            // Options such as --file=PATH, curl's @PATH and scp's PATH: forms name files too.
            var candidate = (word.Contains('=', StringComparison.Ordinal) ? word[(word.IndexOf('=', StringComparison.Ordinal) + 1)..] : word).TrimStart('@').TrimEnd(':');
            // Every argument is resolved (symbolic links followed, globs expanded): 'cat k/id_rsa' with k -> ~/.ssh, 'cat ~/.ss?/i*'.
            var afterHome = candidate.StartsWith("${HOME}", StringComparison.Ordinal) ? candidate[7..] : candidate.StartsWith("$HOME", StringComparison.Ordinal) ? candidate[5..] : candidate;
            var computed = afterHome.Contains('$', StringComparison.Ordinal) || afterHome.Contains('`', StringComparison.Ordinal);
            if ((computed && LooksLikeCredentialStore(candidate))
                || (candidate.Length > 0 && !candidate.Contains("://", StringComparison.Ordinal) && resolveWord(candidate).Any(path => IsCredentialStore(path) || IsCredentialFolder(path))))
            {
                return $"safety floor: '{word}' is a credential store; commands may not read it";
            }
        }

        return null;
    }

    /// <summary>Why a file access is below the floor, or <see langword="null"/>.</summary>
    public string? CheckPath(string fullPath, string lexicalPath, bool write)
    {
        if (write && (HasGitComponent(fullPath) || HasGitComponent(lexicalPath)))
        {
            return "safety floor: writing inside a .git folder is never allowed through file tools (use git itself)";
        }

        if (IsCredentialStore(fullPath) || IsCredentialStore(lexicalPath))
        {
            return $"safety floor: {lexicalPath} is a credential store and is never read or written by tools";
        }

        return null;
    }

    private bool IsCredentialFolder(string fullPath) =>
        CredentialFolders.Any(folder => string.Equals(fullPath.TrimEnd('/', '\\'), Path.Combine(_home, folder), StringComparison.OrdinalIgnoreCase));

    private bool IsCredentialStore(string fullPath) => _credentials.Any(pattern => pattern.IsMatch(fullPath, onTimeout: true));

    private static bool HasGitComponent(string path) =>
        path.Replace('\\', '/').Split('/').Any(segment => segment.Equals(".git", StringComparison.OrdinalIgnoreCase));

    private static bool LooksLikeCredentialStore(string text) =>
        text.Contains(".ssh", StringComparison.OrdinalIgnoreCase) || text.Contains(".aws", StringComparison.OrdinalIgnoreCase)
        || text.Contains("gcloud", StringComparison.OrdinalIgnoreCase) || text.Contains(".netrc", StringComparison.OrdinalIgnoreCase)
        || text.Contains(".docker", StringComparison.OrdinalIgnoreCase);

    private static bool IsRecursive(IReadOnlyList<string> words)
    {
        foreach (var word in words.Skip(1))
        {
            if (word == "--")
            {
                break;
            }

            if (word is "--recursive" || (word.StartsWith('-') && !word.StartsWith("--", StringComparison.Ordinal) && (word.Contains('r', StringComparison.Ordinal) || word.Contains('R', StringComparison.Ordinal))))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Why a path known only at run time (<c>$X</c>, <c>$(…)</c>) may be below the floor, or <see langword="null"/>.</summary>
    /// <param name="text">The path as written, <c>~</c> and <c>$HOME</c> expanded.</param>
    /// <param name="write">Whether it is written.</param>
    public static string? CheckDynamicPath(string text, bool write)
    {
        if (write && HasGitComponent(text))
        {
            return "safety floor: writing inside a .git folder is never allowed through file tools (use git itself)";
        }

        return LooksLikeCredentialStore(text)
            ? $"safety floor: {text} may name a credential store (it is computed at run time) and is never read or written by tools"
            : null;
    }

    private bool IsRootOrHome(string word, Func<string, List<string>> resolveWord)
    {
        var trimmed = word.TrimEnd('/');
        while (trimmed.EndsWith("/*", StringComparison.Ordinal) || trimmed.EndsWith("/.", StringComparison.Ordinal))
        {
            trimmed = trimmed[..^2].TrimEnd('/');
        }

        if (trimmed is "" or "~" or "$HOME" or "${HOME}")
        {
            return true;
        }

        if (trimmed is "*" or ".*")
        {
            trimmed = "."; // 'rm -rf *' empties the working directory
        }

        return resolveWord(trimmed).Any(candidate =>
        {
            var full = candidate.Replace('\\', '/').TrimEnd('/');
            return full.Length == 0 || full == "/" || full.Equals(_home.Replace('\\', '/'), StringComparison.OrdinalIgnoreCase)
                || (Path.GetPathRoot(full) is { Length: > 0 } drive && full.TrimEnd('/').Length <= drive.TrimEnd('/', '\\').Length);
        });
    }
}
