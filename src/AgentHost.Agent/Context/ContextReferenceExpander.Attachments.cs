using AgentHost.Hosting;
using AgentHost.Hosting.Text;
using AgentHost.Sessions;
using Microsoft.Extensions.AI;

namespace AgentHost.Agent.Context;

/// <content>A client's attachments (<see cref="PromptAttachment"/>), under the rules of <c>@file</c>.</content>
internal sealed partial class ContextReferenceExpander
{
    /// <summary>The reference an attachment becomes, or an error naming it.</summary>
    /// <exception cref="AgentHostException">The attachment breaks a rule of <c>@file</c> (outside the root, excluded, refused, too large, not an image).</exception>
    private async Task<ContextReference> ResolveAttachmentAsync(PromptAttachment attachment, int index, CancellationToken cancellationToken)
    {
        var label = attachment.Uri ?? $"image {index + 1}";
        if (attachment.ImageData is { } data)
        {
            return AttachedImage(label, attachment.Uri, data);
        }

        if (FilePath(attachment.Uri) is not { } path)
        {
            if (attachment.Text is { } text)
            {
                return new ContextReference(label, ContextReferenceKind.File, label, Cap(text, out var cut)) { Truncated = cut };
            }

            if (!label.StartsWith("http://", StringComparison.OrdinalIgnoreCase) && !label.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
            {
                throw Refused(label, "only file: and http(s): links can be read; embed the content instead");
            }

            var page = await UrlContext.FetchAsync(FetchUrl, label, _limits, cancellationToken).ConfigureAwait(false);
            return page is { Denied: null } ? page : throw Refused(label, page?.Denied is { } why ? $"it was not fetched: {why}" : "URLs are not fetched here (no fetch tool)");
        }

        var full = _paths.Resolve(path) ?? throw Refused(label, $"{path} is outside the project root {_paths.Root}; only files inside it can be attached, as with @file");
        var relative = _paths.Relative(full);
        var kind = Directory.Exists(full) ? ContextReferenceKind.Directory : ContextReferenceKind.File;
        if (ExcludedBy(relative, full) is { } ignoreFile)
        {
            throw Refused(label, ExcludedReason(relative, ignoreFile));
        }

        if (ReadCheck?.Invoke(full) is { Allowed: false } refused)
        {
            throw Refused(label, $"reading it is not allowed: {refused.Reason}");
        }

        if (attachment.Text is { } given)
        {
            return new ContextReference(relative, ContextReferenceKind.File, relative, Cap(given, out var cut)) { Truncated = cut };
        }

        return kind == ContextReferenceKind.Directory ? await DirectoryContext.ListAsync(_paths, relative, full, _limits, cancellationToken).ConfigureAwait(false)
            : File.Exists(full) ? await FileContext.ReadAsync(_paths, relative, full, _limits, cancellationToken).ConfigureAwait(false)
            : throw Refused(label, $"there is no file {relative} in {_paths.Root}");
    }

    private ContextReference AttachedImage(string label, string? uri, ReadOnlyMemory<byte> data)
    {
        if (data.Length > _limits.MaxImageBytes)
        {
            throw Refused(label, $"the image is {ImageFormats.Size(data.Length)}, over the {ImageFormats.Size(_limits.MaxImageBytes)} limit per image. Attach a smaller image (crop or scale it, or save it as JPEG)");
        }

        var mediaType = ImageFormats.Detect(data.Span[..Math.Min(data.Length, ImageFormats.HeaderLength)])
            ?? throw Refused(label, $"not a {ImageFormats.Names} image (judged by its bytes, not its declared type)");
        var name = uri is null ? null : Path.GetFileName(FilePath(uri) ?? uri);
        return new ContextReference(label, ContextReferenceKind.Image, name ?? label, $"{ImageFormats.Describe(name, mediaType, data.Length)} attached to this message as an image")
        {
            Image = new DataContent(data, mediaType) { Name = name },
        };
    }

    /// <summary>The local path of a <c>file:</c> URI (its fragment, such as an editor's <c>#L10:20</c>, dropped); <see langword="null"/> for anything else.</summary>
    private static string? FilePath(string? uri) =>
        uri is not null && uri.StartsWith("file:", StringComparison.OrdinalIgnoreCase) && System.Uri.TryCreate(uri, UriKind.Absolute, out var parsed) && parsed.IsFile
            ? parsed.LocalPath
            : null;

    private static AgentHostException Refused(string label, string reason) => new(ErrorKind.Usage, $"attachment {label}: {reason}.");
}
