namespace AgentHost.Permissions.Paths;

/// <summary>
/// Calls that are denied in every mode, yolo included, unless configuration says <c>permissions.safety_floor: false</c>:
/// recursive deletion of <c>/</c> or the home directory, writes inside a <c>.git</c> folder through file tools or
/// redirections, and reading common credential stores (<see cref="Permissions.Paths.CredentialStores"/>: <c>~/.ssh/id_*</c>,
/// <c>~/.aws/credentials</c>, <c>~/.config/gcloud/**</c>, <c>~/.netrc</c>, <c>~/.docker/config.json</c>,
/// <c>~/.git-credentials</c>, <c>~/.config/gh/hosts.yml</c>, <c>~/.gnupg/private-keys-v1.d</c>). <c>.env</c> files are not in the floor.
/// </summary>
internal sealed partial class SafetyFloor
{
    /// <summary>The credential stores (<see cref="Permissions.Paths.CredentialStores"/>, shared with the process sandbox).</summary>
    private static readonly string[] CredentialStores = Permissions.Paths.CredentialStores.Patterns;

    /// <summary>Folders holding credential stores: a command given one of them (<c>tar c ~/.ssh</c>) reads the stores inside.</summary>
    private static readonly string[] CredentialFolders = Permissions.Paths.CredentialStores.Folders;

    private readonly string _home;
    private readonly PathPattern[] _credentials;

    /// <summary>The credential stores and their folders as places a word computed at run time may spell (<see cref="ComputedPath"/>).</summary>
    private readonly ProtectedPlace[] _credentialPlaces;
    private readonly ProtectedPlace[] _credentialFolderPlaces;

    /// <summary>Any <c>.git</c> folder and what is in it.</summary>
    private static readonly ProtectedPlace GitFolder = ProtectedPlace.Anywhere(".git", andBelow: true);

    /// <summary>The home folder with <c>/</c> separators and a final <c>/</c>, when it is all ASCII (<see cref="OutsideHome"/>).</summary>
    private readonly string? _asciiHomePrefix;

    /// <summary>The floor of the last home asked for (a process has one home; its floor is immutable).</summary>
    private static SafetyFloor? s_last;

    /// <summary>
    /// The floor for <paramref name="realHome"/>, made once per home: it compiles every credential store's pattern and
    /// place, which the engine of every gate and the read check of every tool call would otherwise each do again.
    /// </summary>
    /// <param name="realHome">The home folder, real path.</param>
    /// <returns>The floor.</returns>
    public static SafetyFloor For(string realHome)
    {
        ArgumentNullException.ThrowIfNull(realHome);
        if (Volatile.Read(ref s_last) is { } last && string.Equals(last.RealHome, realHome, StringComparison.Ordinal))
        {
            return last;
        }

        var floor = new SafetyFloor(realHome);
        Volatile.Write(ref s_last, floor);
        return floor;
    }

    /// <summary>The home folder this floor was made for, as given.</summary>
    internal string RealHome { get; }

    public SafetyFloor(string realHome)
    {
        RealHome = realHome;
        _home = realHome.TrimEnd('/', '\\');
        _credentials = [.. CredentialStores.Select(pattern => PathPattern.Compile(pattern, "/", _home, ignoreCase: true))];
        // A public key ('cat ~/.ssh/*.pub') is not what the floor keeps from being read.
        _credentialPlaces = [.. CredentialStores.Select(pattern => ProtectedPlace.BelowHome(_home, pattern[2..], andBelow: true)).Select(place => place.Area.EndsWith("id_*", StringComparison.Ordinal) ? place.Except(".pub") : place)];
        _credentialFolderPlaces = [.. CredentialFolders.Select(folder => ProtectedPlace.BelowHome(_home, folder, andBelow: false))];
        var prefix = _home.Replace('\\', '/').TrimEnd('/') + "/";
        _asciiHomePrefix = System.Text.Ascii.IsValid(prefix) ? prefix : null;
    }

    /// <summary>The credential store patterns (all below the home folder, <c>~/…</c>).</summary>
    internal static IReadOnlyList<string> CredentialStorePatterns => CredentialStores;

    /// <summary>
    /// Why a command part is below the floor, or <see langword="null"/>. Decided on what the shell would see after
    /// expansion: <c>${IFS}</c> splits words, braces are expanded (<c>~/.{ssh,aws}</c>), <c>~</c> and <c>$HOME</c> are
    /// the home directory, <c>..</c> is resolved; a word only known at run time counts as the worst thing it could be
    /// (<c>~/.ss${X}h/id_rsa</c> and <c>~/.ss?/id_*</c> are read as <c>~/.ssh/id_rsa</c>: <see cref="ComputedPath"/>).
    /// </summary>
    /// <param name="part">The command.</param>
    /// <param name="baseDirectory">Where its relative words are, or <see langword="null"/> when only known at run time.</param>
    /// <param name="resolveWord">The places a word names on the file system now.</param>
    public string? CheckCommand(ShellCommandPart part, string? baseDirectory, Func<string, List<string>> resolveWord)
    {
        if (part.Words.Count == 0)
        {
            return null;
        }

        var words = SplitOnIfs(part.Words);
        var name = Path.GetFileName(words[0]);
        var unknownName = name.Contains('$', StringComparison.Ordinal) || name.Contains('`', StringComparison.Ordinal);
        var arguments = words.Skip(1).ToList();
        if ((name == "rm" || unknownName) && IsRecursive(arguments))
        {
            if (part.AppendsArguments)
            {
                return "safety floor: a recursive delete of the words xargs reads at run time (they may name / or your home directory) is never allowed; delete the paths by name";
            }

            if (Operands(arguments).FirstOrDefault(word => DeletesRootOrHome(word, resolveWord)) is { } target)
            {
                return $"safety floor: recursive delete of '{target}' (the file system root, your home directory or a folder holding it, or a path computed at run time that may be one) is never allowed";
            }
        }

        if (name == "find" && FindDeletes(arguments) && FindStartingPoints(arguments).FirstOrDefault(word => DeletesRootOrHome(word, resolveWord)) is { } start)
        {
            return $"safety floor: 'find {start}' deleting what it finds (the file system root, your home directory or a folder holding it) is never allowed";
        }

        foreach (var word in unknownName ? words : arguments)
        {
            foreach (var spelling in BraceExpand(word))
            {
                // Options such as --file=PATH, curl's @PATH and scp's PATH: forms name files too.
                var candidate = (spelling.Contains('=', StringComparison.Ordinal) ? spelling[(spelling.IndexOf('=', StringComparison.Ordinal) + 1)..] : spelling).TrimStart('@').TrimEnd(':');
                // Every argument is resolved (symbolic links followed, globs expanded): 'cat k/id_rsa' with k -> ~/.ssh, 'cat ~/.ss?/i*'.
                var computed = IsComputed(candidate);
                if ((computed && LooksLikeCredentialStore(candidate))
                    || (candidate.Length > 0 && !computed && !candidate.Contains("://", StringComparison.Ordinal) && resolveWord(candidate).Any(path => IsCredentialStore(path) || IsCredentialFolder(path))))
                {
                    return $"safety floor: '{word}' is a credential store; commands may not read it";
                }

                // '~/.ss${X}h/id_rsa', '~/.ss?/id_*': some value of the expansion or glob spells one, whatever the disk holds now.
                if (!candidate.Contains("://", StringComparison.Ordinal) && CouldSpell(candidate, baseDirectory, globs: true, _credentialPlaces, _credentialFolderPlaces) is { } place)
                {
                    return $"safety floor: '{word}' may name the credential store {place.Area} (it is computed at run time); commands may not read it";
                }
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

        if (IsCredentialStore(fullPath) || (!string.Equals(lexicalPath, fullPath, StringComparison.Ordinal) && IsCredentialStore(lexicalPath)))
        {
            return $"safety floor: {lexicalPath} is a credential store and is never read or written by tools";
        }

        return null;
    }

    private bool IsCredentialFolder(string fullPath) =>
        CredentialFolders.Any(folder => string.Equals(fullPath.TrimEnd('/', '\\'), Path.Combine(_home, folder), StringComparison.OrdinalIgnoreCase));

    private bool IsCredentialStore(string fullPath) => !OutsideHome(fullPath) && _credentials.Any(pattern => pattern.IsMatch(fullPath, onTimeout: true));

    /// <summary>
    /// Whether <paramref name="fullPath"/> certainly matches no credential store pattern, without running them: every
    /// pattern starts with the home folder and a separator, compared without case by the regex. For an ASCII path and
    /// an ASCII home that comparison is ASCII case folding (the regex's other case equivalents of ASCII letters, such
    /// as the Kelvin sign for <c>k</c>, are not ASCII), so a path that does not start with the home folder matches
    /// none. Any other path is left to the patterns. A search asks this for every file.
    /// </summary>
    private bool OutsideHome(string fullPath) =>
        _asciiHomePrefix is { } prefix && System.Text.Ascii.IsValid(fullPath)
        && !fullPath.Replace('\\', '/').StartsWith(prefix, StringComparison.OrdinalIgnoreCase);

    private static bool HasGitComponent(string path) =>
        path.Replace('\\', '/').Split('/').Any(segment => segment.Equals(".git", StringComparison.OrdinalIgnoreCase));

    private static bool LooksLikeCredentialStore(string text) => Permissions.Paths.CredentialStores.Mentioned(text);

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

    /// <summary>
    /// Why a path with parts computed at run time (<c>$X</c>, <c>$(…)</c>, a glob) is below the floor because some value
    /// of them spells a <c>.git</c> folder (writes) or a credential store (<see cref="ComputedPath"/>), or <see langword="null"/>.
    /// </summary>
    /// <param name="subject">The path as written.</param>
    /// <param name="baseDirectory">What a relative path is relative to, or <see langword="null"/> when only known at run time.</param>
    /// <param name="write">Whether it is written.</param>
    /// <param name="globs">Whether glob characters are computed too (a shell word, not a file tool's path).</param>
    public string? CheckComputedPath(string subject, string? baseDirectory, bool write, bool globs)
    {
        if (write && CouldSpell(subject, baseDirectory, globs, [GitFolder]) is not null)
        {
            return $"safety floor: {subject} may be inside a .git folder (it is computed at run time), and writing there is never allowed through file tools (use git itself)";
        }

        return CouldSpell(subject, baseDirectory, globs, _credentialPlaces) is { } store
            ? $"safety floor: {subject} may name the credential store {store.Area} (it is computed at run time) and is never read or written by tools"
            : null;
    }

    /// <summary>The first of the places a word computed at run time could spell, or <see langword="null"/> (also for a word with nothing computed).</summary>
    private ProtectedPlace? CouldSpell(string word, string? baseDirectory, bool globs, params ProtectedPlace[][] places) =>
        ComputedPath.Parse(word, _home, baseDirectory, globs) is { } computed
            ? places.SelectMany(list => list).FirstOrDefault(computed.CouldSpell)
            : null;
}
