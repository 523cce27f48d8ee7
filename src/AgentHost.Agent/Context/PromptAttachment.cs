namespace AgentHost.Agent.Context;

/// <summary>
/// Content a client attaches to a prompt beside its text (an ACP editor's <c>resource_link</c>, embedded
/// <c>resource</c> or <c>image</c> block; <see cref="TurnRequest.Attachments"/>). Attachments follow the rules of
/// <c>@file</c>: a <c>file:</c> URI must name a path inside the project root that the read rules and the project's
/// agent ignore files let the agent read, text is capped as an <c>@file</c>'s is, and an image must be a PNG, JPEG,
/// GIF or WebP within the per-image size limit. A turn with an attachment that breaks a rule fails before anything is
/// stored, with a message naming the attachment.
/// </summary>
/// <param name="Uri">
/// What the attachment names: a <c>file:</c> URI (read from disk unless <see cref="Text"/> is given), an
/// <c>http(s):</c> URL (fetched as an <c>@https://…</c> reference is), or another URI that only labels
/// <see cref="Text"/>. May be <see langword="null"/> for an image.
/// </param>
public sealed record PromptAttachment(string? Uri)
{
    /// <summary>The attachment's text as the client has it (an editor's buffer, perhaps unsaved); read from <see cref="Uri"/> when <see langword="null"/>.</summary>
    public string? Text { get; init; }

    /// <summary>An image's bytes (its format is judged by them); <see langword="null"/> for text.</summary>
    public ReadOnlyMemory<byte>? ImageData { get; init; }
}
