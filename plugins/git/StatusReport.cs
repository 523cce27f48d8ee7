using System.Globalization;
using System.Text;

namespace AgentHost.Plugins.Git;

/// <summary>One changed path in <c>git status</c>.</summary>
/// <param name="Change">What changed: <c>modified</c>, <c>added</c>, <c>deleted</c>, <c>renamed</c>, <c>both modified</c>…</param>
/// <param name="Path">The path (relative to the top of the working tree).</param>
/// <param name="From">The original path of a rename or copy.</param>
internal sealed record StatusEntry(string Change, string Path, string? From = null);

/// <summary><c>git status --porcelain=v2 --branch --show-stash -z</c>, parsed.</summary>
internal sealed class StatusReport
{
    public string? Branch { get; private set; }

    public string? Commit { get; private set; }

    public string? Upstream { get; private set; }

    public int Ahead { get; private set; }

    public int Behind { get; private set; }

    public int Stashes { get; private set; }

    public List<StatusEntry> Staged { get; } = [];

    public List<StatusEntry> Unstaged { get; } = [];

    public List<StatusEntry> Untracked { get; } = [];

    public List<StatusEntry> Conflicts { get; } = [];

    public bool IsClean => Staged.Count == 0 && Unstaged.Count == 0 && Untracked.Count == 0 && Conflicts.Count == 0;

    public static StatusReport Parse(string output)
    {
        var report = new StatusReport();
        var records = output.Split('\0');
        for (var i = 0; i < records.Length; i++)
        {
            var record = records[i];
            if (record.Length < 2)
            {
                continue;
            }

            switch (record[0])
            {
                case '#':
                    report.Header(record);
                    break;
                case '1':
                    report.Changed(Fields(record, 9), null);
                    break;
                case '2':
                    // The original path follows in its own NUL-terminated record.
                    report.Changed(Fields(record, 10), i + 1 < records.Length ? records[++i] : null);
                    break;
                case 'u':
                    if (Fields(record, 11) is { } conflict)
                    {
                        report.Conflicts.Add(new StatusEntry(ConflictName(conflict[1]), conflict[10]));
                    }

                    break;
                case '?':
                    report.Untracked.Add(new StatusEntry("untracked", record[2..]));
                    break;
            }
        }

        return report;
    }

    /// <summary>Renders the report for the model; <paramref name="display"/> turns repository paths into project paths.</summary>
    public string Render(Func<string, string> display, int maxCharacters)
    {
        var text = new StringBuilder();
        text.Append("branch: ").Append(BranchLine()).Append('\n');
        if (Stashes > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"stashes: {Stashes}\n");
        }

        if (IsClean)
        {
            text.Append("clean: nothing to commit, no untracked files\n");
            return text.ToString().TrimEnd('\n');
        }

        Section(text, "conflicts (resolve, then git_add each file)", Conflicts, display);
        Section(text, "staged (will be committed)", Staged, display);
        Section(text, "unstaged (not staged; git_add to stage, git_restore to discard)", Unstaged, display);
        Section(text, "untracked", Untracked, display);
        return TextLimit.Cut(text.ToString().TrimEnd('\n'), maxCharacters, "narrow it with git_diff path, or commit and clean up first");
    }

    private string BranchLine()
    {
        var line = new StringBuilder();
        if (Branch is null or "(detached)")
        {
            line.Append("HEAD detached at ").Append(Commit is { Length: >= 7 } id ? id[..7] : "?");
        }
        else
        {
            line.Append(Branch);
            if (Commit == "(initial)")
            {
                line.Append(" (no commits yet)");
            }
        }

        if (Upstream is not null)
        {
            line.Append(CultureInfo.InvariantCulture, $" (upstream {Upstream}, ahead {Ahead}, behind {Behind})");
        }
        else if (Branch is not null and not "(detached)")
        {
            line.Append(" (no upstream)");
        }

        return line.ToString();
    }

    private static void Section(StringBuilder text, string title, List<StatusEntry> entries, Func<string, string> display)
    {
        if (entries.Count == 0)
        {
            return;
        }

        text.Append(CultureInfo.InvariantCulture, $"{title} ({entries.Count}):\n");
        foreach (var entry in entries)
        {
            text.Append("  ");
            if (entry.Change != "untracked")
            {
                text.Append(entry.Change).Append(": ");
            }

            if (entry.From is not null)
            {
                text.Append(display(entry.From)).Append(" -> ");
            }

            text.Append(display(entry.Path)).Append('\n');
        }
    }

    private void Header(string record)
    {
        var parts = record.Split(' ', 3);
        var value = parts.Length > 2 ? parts[2] : string.Empty;
        switch (parts.Length > 1 ? parts[1] : string.Empty)
        {
            case "branch.oid": Commit = value; break;
            case "branch.head": Branch = value; break;
            case "branch.upstream": Upstream = value; break;
            case "branch.ab":
                var counts = value.Split(' ');
                Ahead = Count(counts[0]);
                Behind = counts.Length > 1 ? Count(counts[1]) : 0;
                break;
            case "stash": Stashes = Count(value); break;
        }
    }

    private void Changed(string[]? fields, string? from)
    {
        if (fields is null)
        {
            return;
        }

        var (index, worktree) = (fields[1][0], fields[1][1]);
        var path = fields[^1];
        if (index != '.')
        {
            // For a rename or copy the path is the new name; the original came in the next record.
            Staged.Add(new StatusEntry(ChangeName(index), path, index is 'R' or 'C' ? from : null));
        }

        if (worktree != '.')
        {
            Unstaged.Add(new StatusEntry(ChangeName(worktree), path, worktree is 'R' or 'C' ? from : null));
        }
    }

    private static string[]? Fields(string record, int count)
    {
        var fields = record.Split(' ', count);
        return fields.Length == count && fields[1].Length == 2 ? fields : null;
    }

    private static int Count(string text) =>
        int.TryParse(text.TrimStart('+', '-'), NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : 0;

    private static string ChangeName(char code) => code switch
    {
        'M' => "modified",
        'T' => "type changed",
        'A' => "added",
        'D' => "deleted",
        'R' => "renamed",
        'C' => "copied",
        _ => "changed",
    };

    private static string ConflictName(string code) => code switch
    {
        "DD" => "both deleted",
        "AU" => "added by us",
        "UD" => "deleted by them",
        "UA" => "added by them",
        "DU" => "deleted by us",
        "AA" => "both added",
        _ => "both modified",
    };
}
