namespace AgentHost.Agent.Memory;

/// <summary>One memory file as it is injected.</summary>
/// <param name="FullPath">The absolute path.</param>
/// <param name="DisplayPath">What the model sees: relative to the workspace root with <c>/</c> separators, absolute for files outside it (the global file).</param>
/// <param name="Content">The normalised text (no BOM, <c>\n</c> line ends), cut to the per-file cap.</param>
/// <param name="Truncated">Whether the text was cut.</param>
/// <param name="OriginalCharacters">The length before the cut.</param>
public sealed record MemoryFile(string FullPath, string DisplayPath, string Content, bool Truncated, int OriginalCharacters)
{
    /// <summary>The memory file whose <c>@path</c> import brought this one in (its display path); <see langword="null"/> for a memory file itself.</summary>
    public string? ImportedFrom { get; init; }

    /// <summary>The file as a <c>&lt;file path="…"&gt;</c> element (with <c>imported_from</c> for an import), with a truncation note when it was cut.</summary>
    /// <param name="tag">The element name.</param>
    /// <returns>The element text, ending with a line break.</returns>
    public string ToElement(string tag = "file")
    {
        var note = Truncated
            ? $"\n[truncated: {DisplayPath} has {OriginalCharacters:N0} characters; only the first {Content.Length:N0} are included. Read the file for the rest.]"
            : string.Empty;
        var from = ImportedFrom is null ? string.Empty : $" imported_from=\"{ImportedFrom}\"";
        return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"<{tag} path=\"{DisplayPath}\"{from}>\n{Content}{note}\n</{tag}>\n");
    }
}

/// <summary>A folder below the workspace root with its own memory files, which apply to its subtree.</summary>
/// <param name="FullPath">The absolute folder path.</param>
/// <param name="DisplayPath">Relative to the workspace root, <c>/</c> separators, ending with <c>/</c>.</param>
/// <param name="FileNames">The memory file names present, in precedence order.</param>
public sealed record MemoryFolder(string FullPath, string DisplayPath, IReadOnlyList<string> FileNames);
