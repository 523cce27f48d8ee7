namespace AgentHost.Sdk.Tools;

/// <summary>
/// One more path a call touches besides its <see cref="ToolCallDescription.Subject"/>, and what the call does to it.
/// The host decides each one like a call of that effect on that path (the strictest decision wins), so a move's
/// destination or a download's target file is checked as carefully as the path the call names first.
/// </summary>
/// <remarks>Immutable.</remarks>
/// <param name="Path">The path: relative to the workspace root, or absolute.</param>
/// <param name="Effect"><see cref="ToolEffect.Write"/> when the call creates, changes, replaces or deletes it; <see cref="ToolEffect.Read"/> when it only reads it.</param>
public sealed record ToolCallPath(string Path, ToolEffect Effect);
