using System.Text;
using System.Text.Json;
using AgentHost.Agent.Engine;
using AgentHost.Agent.Tools;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Security;
using AgentHost.Permissions;
using AgentHost.Permissions.Gate;
using AgentHost.Sdk.Events;
using AgentHost.Sdk.Tools;

namespace AgentHost.Agent.Memory;

/// <summary>
/// One session's self-kept memory (<c>memory.auto_update</c>): the <c>remember</c> tool collects notes during a turn,
/// and <see cref="SaveAsync"/> writes them into the learned section of the memory file at the end of the turn — one
/// write, decided by the session's permission gate as a write of that file by a file tool would be (rules, protected
/// paths, the mode, a person's answer; never a wait when nobody can answer), recorded in the turn's checkpoints (so
/// <c>agent session diff</c> and undo see it), and reported as a <see cref="MemoryUpdatedEvent"/>.
/// </summary>
/// <remarks>Thread-safe: the tool may be called concurrently; a turn's save runs once, after its calls.</remarks>
internal sealed class MemoryAutoUpdater
{
    /// <summary>The most notes one turn may record.</summary>
    public const int MaxNotesPerTurn = 20;

    /// <summary>The largest memory file edited: 1 MiB.</summary>
    public const long MaxFileBytes = 1024 * 1024;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private readonly MemoryAutoUpdateSettings _settings;
    private readonly MemoryAutoUpdaterParts _parts;
    private readonly Lock _lock = new();
    private readonly List<LearnedNote> _pending = [];
    private int _sequence;

    /// <param name="settings">The file and its limits.</param>
    /// <param name="parts">The session, its gate, events and checkpoints.</param>
    public MemoryAutoUpdater(MemoryAutoUpdateSettings settings, MemoryAutoUpdaterParts parts)
    {
        _settings = settings;
        _parts = parts;
    }

    /// <summary>The memory file, relative to the project root.</summary>
    public string File => _settings.File;

    /// <summary>Records a note for the end of the turn (the <c>remember</c> tool).</summary>
    /// <param name="text">The model's note.</param>
    /// <param name="category">The model's category, or <see langword="null"/>.</param>
    /// <returns>What the model is told.</returns>
    /// <exception cref="ArgumentException">The note or category is not usable (the model gets the message).</exception>
    public string Add(string? text, string? category)
    {
        var scrub = _parts.Scrubber;
        if (!LearnedNote.TryCreate(text is null ? null : scrub.Scrub(text), category, out var note, out var problem))
        {
            throw new ArgumentException(problem);
        }

        note = note! with { Text = scrub.Scrub(note.Text) };
        lock (_lock)
        {
            if (_pending.Count >= MaxNotesPerTurn)
            {
                throw new ArgumentException($"this turn already recorded {MaxNotesPerTurn} notes; keep only what later sessions really need.");
            }

            if (!_pending.Exists(p => LearnedNote.KeyOf(p.Line) == LearnedNote.KeyOf(note.Line)))
            {
                _pending.Add(note);
            }
        }

        return $"Noted: \"{note.Line}\". It is added to {_settings.File} at the end of this turn, if the write is allowed.";
    }

    /// <summary>Writes the turn's notes (the turn's end); publishes what became of them. Never throws for file or permission problems.</summary>
    /// <param name="outcome">How the turn ended (a cancelled turn saves nothing).</param>
    /// <param name="dryRun">Whether the turn is a dry run (nothing is written).</param>
    /// <param name="cancellationToken">The turn's cancellation (Ctrl+C while a person is asked).</param>
    /// <returns>A task.</returns>
    public async Task SaveAsync(RunOutcome outcome, bool dryRun, CancellationToken cancellationToken)
    {
        List<LearnedNote> notes;
        lock (_lock)
        {
            notes = [.. _pending];
            _pending.Clear();
        }

        if (notes.Count == 0)
        {
            return;
        }

        var lines = notes.Select(n => n.Line).ToList();
        if (outcome == RunOutcome.Cancelled || cancellationToken.IsCancellationRequested)
        {
            Publish(NotSaved(lines, "the turn was cancelled", null));
            return;
        }

        try
        {
            await SaveCoreAsync(notes, lines, dryRun, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Publish(NotSaved(lines, "the turn was cancelled", null));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Publish(NotSaved(lines, $"{_settings.File} could not be written ({ex.Message})", "check the file's permissions and that its folder exists"));
        }
    }

    private async Task SaveCoreAsync(List<LearnedNote> notes, List<string> lines, bool dryRun, CancellationToken cancellationToken)
    {
        var relative = _settings.File;
        var paths = new WorkspacePaths(_parts.WorkspaceRoot);
        if (paths.Resolve(relative) is not { } full)
        {
            Publish(NotSaved(lines, $"{relative} leads outside the project", $"point {MemoryAutoUpdateSettings.FileKey} at a file inside the project"));
            return;
        }

        var before = Read(full);
        if (before.Problem is { } unreadable)
        {
            Publish(NotSaved(lines, $"{relative} {unreadable}; it was left as it is", "fix or remove the file"));
            return;
        }

        if (before.Bytes is null && !_settings.CreateIfMissing)
        {
            Publish(NotSaved(lines, $"{relative} does not exist", $"create it ('agent init' writes a starter AGENTS.md), or set {MemoryAutoUpdateSettings.CreateKey}: true"));
            return;
        }

        var edit = LearnedSection.Apply(before.Text, notes, _settings.MaxNotes);
        if (edit.Problem is { } broken)
        {
            Publish(NotSaved(lines, $"{relative}: {broken}", null));
            return;
        }

        if (!edit.Changes)
        {
            Publish(new MemoryUpdatedEvent(_parts.SessionId, relative, false, []) { Duplicates = edit.Duplicates.Count, Reason = $"every note is already in {relative}" });
            return;
        }

        if (dryRun)
        {
            Publish(Result(edit, relative, saved: false) with { Reason = "dry run: nothing is written", Fix = "run without --dry-run (or dry_run: false) to save them" });
            return;
        }

        var callId = $"memory_{Interlocked.Increment(ref _sequence)}";
        var description = new ToolCallDescription("write", relative) { Details = $"{relative}: the agent's learned notes ({edit.DiffSummary})\n{edit.Preview}" };
        var verdict = await DecideAsync(callId, relative, edit, description, cancellationToken).ConfigureAwait(false);
        if (!verdict.Allowed)
        {
            Publish(Result(edit, relative, saved: false) with { Reason = $"the write was denied: {verdict.Reason}", Fix = verdict.Fix });
            return;
        }

        if (_parts.BeforeWrite is { } beforeWrite)
        {
            await beforeWrite(new ToolWriteNotice(new ToolCallContext(_parts.SessionId, callId) { WorkspaceRoot = _parts.WorkspaceRoot }, RememberTool.Name, description), cancellationToken).ConfigureAwait(false);
        }

        if (!Same(Read(full).Bytes, before.Bytes))
        {
            Publish(Result(edit, relative, saved: false) with { Reason = $"{relative} changed while the write was decided; it was left as it is", Fix = "record the notes again in a later turn" });
            return;
        }

        var bom = before.Bom ? Encoding.UTF8.Preamble.ToArray() : [];
        if (before.Bytes is null)
        {
            paths.CreateDirectory(Path.GetDirectoryName(full)!);
        }

        paths.WriteAllBytesAtomic(full, [.. bom, .. StrictUtf8.GetBytes(edit.After!)]);
        Publish(Result(edit, relative, saved: true));
    }

    private async Task<PermissionVerdict> DecideAsync(string callId, string relative, LearnedEdit edit, ToolCallDescription description, CancellationToken cancellationToken)
    {
        var request = new ToolPermissionRequest(_parts.SessionId, callId, RememberTool.Name, PluginIds.Kernel, ToolEffect.Write, description)
        {
            ArgumentsJson = JsonSerializer.Serialize(new Dictionary<string, object> { ["path"] = relative, ["notes"] = edit.Added }),
            WorkspaceRoot = _parts.WorkspaceRoot,
        };
        PermissionVerdict verdict;
        try
        {
            verdict = await _parts.Gate.DecideAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // A failing gate denies the write (fail closed), as the tool pipeline does.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            verdict = PermissionVerdict.Deny(ToolFailures.IsBug(ex)
                ? "internal error in the permission gate (denied to be safe; logged: see 'agent logs')"
                : $"the permission gate failed ({ToolFailures.MessageOf(ex)}); denied to be safe");
        }

        _parts.Events.Publish(PermissionDecisions.Event(_parts.SessionId, callId, RememberTool.Name, description.Action, relative, verdict) with { Timestamp = _parts.Time.GetUtcNow() });
        return verdict;
    }

    private MemoryUpdatedEvent Result(LearnedEdit edit, string relative, bool saved) =>
        new(_parts.SessionId, relative, saved, edit.Added) { DiffSummary = edit.DiffSummary, Dropped = edit.Dropped, Duplicates = edit.Duplicates.Count };

    private MemoryUpdatedEvent NotSaved(IReadOnlyList<string> notes, string reason, string? fix) =>
        new(_parts.SessionId, _settings.File, false, notes) { Reason = reason, Fix = fix };

    private void Publish(MemoryUpdatedEvent update) => _parts.Events.Publish(update with { Timestamp = _parts.Time.GetUtcNow() });

    private static bool Same(byte[]? a, byte[]? b) => a is null ? b is null : b is not null && a.AsSpan().SequenceEqual(b);

    /// <summary>The file as it is: missing (no bytes), or its bytes and text (byte order mark apart), or why it cannot be edited.</summary>
    private static FileContent Read(string full)
    {
        if (Directory.Exists(full))
        {
            return new FileContent(null, null, false) { Problem = "is a folder" };
        }

        if (!System.IO.File.Exists(full))
        {
            return new FileContent(null, null, false);
        }

        if (new FileInfo(full).Length > MaxFileBytes)
        {
            return new FileContent(null, null, false) { Problem = $"is larger than {MaxFileBytes / 1024 / 1024} MiB" };
        }

        var bytes = System.IO.File.ReadAllBytes(full);
        var bom = bytes.AsSpan().StartsWith(Encoding.UTF8.Preamble);
        try
        {
            var text = StrictUtf8.GetString(bytes, bom ? 3 : 0, bytes.Length - (bom ? 3 : 0));
            return text.Contains('\0', StringComparison.Ordinal)
                ? new FileContent(null, null, false) { Problem = "is not a text file (it has NUL characters)" }
                : new FileContent(bytes, text, bom);
        }
        catch (DecoderFallbackException)
        {
            return new FileContent(null, null, false) { Problem = "is not UTF-8 text" };
        }
    }

    private sealed record FileContent(byte[]? Bytes, string? Text, bool Bom)
    {
        public string? Problem { get; init; }
    }
}

/// <summary>What a <see cref="MemoryAutoUpdater"/> works with: its session, root, gate, events and checkpoints.</summary>
/// <param name="SessionId">The session.</param>
/// <param name="WorkspaceRoot">The project root.</param>
/// <param name="Gate">Decides the write (the session's gate).</param>
/// <param name="Events">Where <see cref="MemoryUpdatedEvent"/> and the permission decision go.</param>
/// <param name="Scrubber">Masks secrets in notes before they are kept.</param>
/// <param name="Time">The clock of events.</param>
internal sealed record MemoryAutoUpdaterParts(string SessionId, string WorkspaceRoot, IToolPermissionGate Gate, IEventBus Events, SecretScrubber Scrubber, TimeProvider Time)
{
    /// <summary>Called before the file is written (the session's file checkpoints), when set.</summary>
    public Func<ToolWriteNotice, CancellationToken, ValueTask>? BeforeWrite { get; init; }
}
