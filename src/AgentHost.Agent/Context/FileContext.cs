using System.Text;
using AgentHost.Hosting;
using AgentHost.Hosting.Text;
using AgentHost.Sdk.Tools;
using AgentHost.Sessions;
using Microsoft.Extensions.AI;

namespace AgentHost.Agent.Context;

/// <summary>Inlines a file: an image (by its bytes) as an image part, text (capped, head and tail), or a note for other binary files.</summary>
internal static class FileContext
{
    public static async Task<ContextReference> ReadAsync(WorkspacePaths paths, string reference, string fullPath, ContextLimits limits, CancellationToken cancellationToken)
    {
        var title = paths.Relative(fullPath);
        if (await ReadImageAsync(reference, title, fullPath, limits, cancellationToken).ConfigureAwait(false) is { } image)
        {
            return image;
        }

        var bytes = await File.ReadAllBytesAsync(fullPath, cancellationToken).ConfigureAwait(false);
        if (bytes.AsSpan(0, Math.Min(bytes.Length, 8192)).Contains((byte)0))
        {
            return new ContextReference(reference, ContextReferenceKind.File, title, $"(binary file, {bytes.Length} bytes, not inlined)");
        }

        var text = Encoding.UTF8.GetString(bytes).TrimStart('\uFEFF');
        return new ContextReference(reference, ContextReferenceKind.File, title, TextCaps.HeadAndTail(text, limits.MaxCharacters, out var cut)) { Truncated = cut };
    }

    /// <summary>The file as an image part when its first bytes say it is one; <see langword="null"/> otherwise.</summary>
    /// <exception cref="AgentHostException">The image is larger than <see cref="ContextLimits.MaxImageBytes"/>.</exception>
    private static async Task<ContextReference?> ReadImageAsync(string reference, string title, string fullPath, ContextLimits limits, CancellationToken cancellationToken)
    {
        var stream = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, useAsync: true);
        await using (stream.ConfigureAwait(false))
        {
            var header = new byte[ImageFormats.HeaderLength];
            var read = await stream.ReadAtLeastAsync(header, header.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            if (ImageFormats.Detect(header.AsSpan(0, read)) is not { } mediaType)
            {
                return null;
            }

            if (stream.Length > limits.MaxImageBytes)
            {
                throw new AgentHostException(
                    ErrorKind.Usage,
                    $"@{reference}: the image {title} is {ImageFormats.Size(stream.Length)}, over the {ImageFormats.Size(limits.MaxImageBytes)} limit per image. Attach a smaller image (crop or scale it, or save it as JPEG).");
            }

            var bytes = new byte[stream.Length];
            header.AsSpan(0, read).CopyTo(bytes);
            await stream.ReadExactlyAsync(bytes.AsMemory(read), cancellationToken).ConfigureAwait(false);
            var name = Path.GetFileName(fullPath);
            var image = new DataContent(bytes, mediaType) { Name = name };
            return new ContextReference(reference, ContextReferenceKind.Image, title, $"{ImageFormats.Describe(name, mediaType, bytes.Length)} attached to this message as an image")
            {
                Image = image,
            };
        }
    }
}
