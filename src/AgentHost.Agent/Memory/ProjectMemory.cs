using System.Globalization;
using System.Text;

namespace AgentHost.Agent.Memory;

/// <summary>The project memory of one run, as <see cref="ProjectMemoryLoader"/> found it.</summary>
/// <param name="Files">The files in injection order: global, root, then each folder down to the working directory.</param>
/// <param name="NestedFolders">Other folders with memory files of their own (applied to their subtree on first touch), sorted by path.</param>
/// <param name="Warnings">Files skipped and why, each naming the file.</param>
/// <param name="MaxTotalCharacters">The cap on all files' content together.</param>
public sealed record ProjectMemory(
    IReadOnlyList<MemoryFile> Files, IReadOnlyList<MemoryFolder> NestedFolders, IReadOnlyList<string> Warnings, int MaxTotalCharacters)
{
    /// <summary>
    /// What was left out that is not a problem to fix on every run: the nested memory files the agent ignore files
    /// exclude (the project asked for that). Published as details, which <c>-v</c> shows.
    /// </summary>
    public IReadOnlyList<string> Details { get; init; } = [];

    /// <summary>How many nested folders the memory section lists by name at most.</summary>
    public const int MaxListedFolders = 50;

    /// <summary>Nothing found.</summary>
    public static ProjectMemory Empty { get; } = new([], [], [], ProjectMemoryOptions.DefaultMaxTotalCharacters);

    /// <summary>
    /// The text of the system prompt's project memory section: one <c>&lt;file path="…"&gt;</c> element per file
    /// (files past the total cap named, not included), then the list of folders with their own memory files.
    /// </summary>
    /// <returns>The text, or <see langword="null"/> when there is nothing to say.</returns>
    public string? ToPromptText()
    {
        if (Files.Count == 0 && NestedFolders.Count == 0)
        {
            return null;
        }

        var text = new StringBuilder();
        var total = 0;
        foreach (var file in Files)
        {
            if (total + file.Content.Length > MaxTotalCharacters)
            {
                text.Append(CultureInfo.InvariantCulture, $"[omitted: {file.DisplayPath}: the project memory limit of {MaxTotalCharacters:N0} characters is reached. Read the file with a tool if you need it.]\n");
                continue;
            }

            total += file.Content.Length;
            text.Append(file.ToElement());
        }

        if (NestedFolders.Count > 0)
        {
            if (text.Length > 0)
            {
                text.Append('\n');
            }

            text.Append("These folders have their own memory files, which apply to their subtree; their content is added to a tool result the first time you use a path there:\n");
            foreach (var folder in NestedFolders.Take(MaxListedFolders))
            {
                text.Append("- ").Append(folder.DisplayPath).Append(" (").Append(string.Join(", ", folder.FileNames)).Append(")\n");
            }

            if (NestedFolders.Count > MaxListedFolders)
            {
                text.Append(CultureInfo.InvariantCulture, $"- … and {NestedFolders.Count - MaxListedFolders} more\n");
            }
        }

        return text.ToString().TrimEnd();
    }
}
