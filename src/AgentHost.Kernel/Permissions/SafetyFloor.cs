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

    private readonly string _home;
    private readonly PathPattern[] _credentials;

    public SafetyFloor(string realHome)
    {
        _home = realHome.TrimEnd('/', '\\');
        _credentials = [.. CredentialStores.Select(pattern => PathPattern.Compile(pattern, "/", _home, ignoreCase: true))];
    }

    /// <summary>Why a command part is below the floor, or <see langword="null"/>.</summary>
    public string? CheckCommand(ShellCommandPart part, Func<string, string?> resolveWord)
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
            if (LooksLikePath(candidate) && resolveWord(candidate) is { } full && IsCredentialStore(full))
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

    private bool IsCredentialStore(string fullPath) => _credentials.Any(pattern => pattern.IsMatch(fullPath));

    private static bool HasGitComponent(string path) =>
        path.Replace('\\', '/').Split('/').Any(segment => segment.Equals(".git", StringComparison.OrdinalIgnoreCase));

    private static bool LooksLikePath(string word) =>
        word.StartsWith('~') || word.StartsWith('/') || word.StartsWith("$HOME", StringComparison.Ordinal) || word.StartsWith("${HOME}", StringComparison.Ordinal)
        || word.Contains(".ssh", StringComparison.OrdinalIgnoreCase) || word.Contains(".aws", StringComparison.OrdinalIgnoreCase)
        || word.Contains("gcloud", StringComparison.OrdinalIgnoreCase) || word.Contains(".netrc", StringComparison.OrdinalIgnoreCase)
        || word.Contains(".docker", StringComparison.OrdinalIgnoreCase);

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

    private bool IsRootOrHome(string word, Func<string, string?> resolveWord)
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

        var full = resolveWord(trimmed);
        if (full is null)
        {
            return false;
        }

        full = full.Replace('\\', '/').TrimEnd('/');
        return full.Length == 0 || full == "/" || full.Equals(_home.Replace('\\', '/'), StringComparison.OrdinalIgnoreCase)
            || (Path.GetPathRoot(full) is { Length: > 0 } drive && full.TrimEnd('/').Length <= drive.TrimEnd('/', '\\').Length);
    }
}
