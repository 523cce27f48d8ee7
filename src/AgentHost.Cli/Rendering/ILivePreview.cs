namespace AgentHost.Cli.Rendering;

/// <summary>
/// Where text that is still being written is shown before it is drawn for good: the chat's live area, above the
/// status line and the prompt. The answer's unfinished Markdown block and the reasoning's last rows go here while
/// they stream; when the block completes (or the reasoning ends) the preview is cleared and the text is drawn in the
/// transcript. Untrusted text: the preview neutralises what it is given.
/// </summary>
internal interface ILivePreview
{
    /// <summary>The rows shown now (neutralised, without the preview's indent and style), oldest first.</summary>
    IReadOnlyList<string> Rows { get; }

    /// <summary>Whether earlier rows were dropped to keep the preview to its height.</summary>
    bool Dropped { get; }

    /// <summary>Adds streamed text (shown soon: at most a few redraws a second).</summary>
    void Append(string text);

    /// <summary>Takes the preview off the screen and forgets its text.</summary>
    void Clear();
}
