namespace AgentHost.Agent.Memory;

/// <summary>What <see cref="ProjectMemoryLoader"/> reads and how much of it.</summary>
public sealed record ProjectMemoryOptions
{
    /// <summary>The default per-file cap: 32 KiB of characters.</summary>
    public const int DefaultMaxFileCharacters = 32 * 1024;

    /// <summary>The default cap on all files of the memory section together: 96 KiB of characters.</summary>
    public const int DefaultMaxTotalCharacters = 96 * 1024;

    /// <summary>The memory file names read in every folder, in precedence order (<c>AGENTS.md</c> is primary).</summary>
    public static IReadOnlyList<string> FolderFileNames { get; } = ["AGENTS.md", "CLAUDE.md", "CRUSH.md"];

    /// <summary>The file read at the workspace root only, after the root's own memory files.</summary>
    public const string CopilotInstructions = ".github/copilot-instructions.md";

    /// <summary>The most characters of one file; longer files are cut with a note naming the file.</summary>
    public int MaxFileCharacters { get; init; } = DefaultMaxFileCharacters;

    /// <summary>The most characters of all files; files past it are named but left out.</summary>
    public int MaxTotalCharacters { get; init; } = DefaultMaxTotalCharacters;

    /// <summary>Files larger than this many bytes are skipped with a warning (never read whole): 4 MiB.</summary>
    public long MaxFileBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>The folder of the global memory file (<c>AGENTS.md</c> in the global configuration folder); none when <see langword="null"/>.</summary>
    public string? GlobalDirectory { get; init; }

    /// <summary>More files to read (the <c>memory.files</c> setting), relative to the workspace root; read after the root's files.</summary>
    public IReadOnlyList<string> ExtraFiles { get; init; } = [];

    /// <summary>The user's home folder, for <c>@~/…</c> imports; they are not followed when <see langword="null"/>.</summary>
    public string? HomeDirectory { get; init; }

    /// <summary>
    /// Whether a project memory file's <c>@path</c> imports may read files outside the project root (a trusted project);
    /// the global file's imports always may. Asked only when such an import is met (reading the trust store costs a file
    /// read most runs never need); <see langword="null"/> means never.
    /// </summary>
    public Func<bool>? ImportsOutsideRoot { get; init; }

    /// <summary>How many folders the search for nested memory files visits at most: 20,000.</summary>
    public int MaxFoldersVisited { get; init; } = 20_000;

    /// <summary>Folders never searched for nested memory files (besides every folder whose name starts with a dot).</summary>
    public static IReadOnlySet<string> SkippedFolders { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "node_modules", "bin", "obj", "target", "__pycache__", "venv",
    };
}
