using System.Globalization;
using AgentHost.Agent.Checkpoints;
using AgentHost.Cli.Interaction;
using AgentHost.Cli.Terminal;

namespace AgentHost.Cli.Rendering;

/// <summary>How <c>agent session diff|undo</c> and the chat's <c>/diff</c> and <c>/undo</c> print a session's file changes.</summary>
internal static class FileChangeReport
{
    /// <summary>The files as unified diffs (coloured with <paramref name="colour"/>), or one line each (<c>created  notes.txt  +3 -0</c>) with <paramref name="stat"/>.</summary>
    public static void WriteFiles(IConsoleInteraction console, IReadOnlyList<FileChange> files, bool stat, bool colour)
    {
        foreach (var file in files)
        {
            if (stat)
            {
                var note = file.Note is null ? string.Empty : $" ({file.Note})";
                console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {Kind(file.Kind),-8} {file.Path}  +{file.Added} -{file.Removed}{note}"));
            }
            else
            {
                console.Write(DiffStyle.Text(file.Diff, colour));
            }
        }
    }

    /// <summary>What an undo did, or why it wrote nothing; returns whether it was done.</summary>
    /// <param name="console">Where to print.</param>
    /// <param name="result">The undo's result.</param>
    /// <param name="forceHint">How to force it in this front end (<c>--force</c>, <c>/undo --force</c>).</param>
    /// <param name="session">The session id.</param>
    public static bool WriteUndo(IConsoleInteraction console, UndoResult result, string forceHint, string session)
    {
        if (!result.Done)
        {
            foreach (var path in result.Conflicts)
            {
                console.WriteError($"{path} was changed since turn {result.Turn} by something else; undo would lose that change.");
            }

            foreach (var note in result.NotUndoable)
            {
                console.WriteError($"{note}: its content before turn {result.Turn} was not recorded, so it cannot be restored.");
            }

            console.WriteInfo($"Nothing was changed. Use {forceHint} to overwrite those changes (and leave files that cannot be restored as they are).");
            return false;
        }

        foreach (var file in result.Reverted)
        {
            var what = file.Kind switch
            {
                FileChangeKind.Deleted => "deleted",
                FileChangeKind.Created => "restored",
                _ => "reverted",
            };
            console.WriteLine($"{what} {file.Path}");
        }

        foreach (var note in result.NotUndoable)
        {
            console.WriteInfo($"left as is: {note}");
        }

        console.WriteLine($"Undid turn {result.Turn} of session {session}.");
        return true;
    }

    public static string Kind(FileChangeKind kind) => kind switch
    {
        FileChangeKind.Created => "created",
        FileChangeKind.Deleted => "deleted",
        _ => "modified",
    };
}
