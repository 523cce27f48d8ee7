using System.Text;
using AgentHost.Sdk.Tools;
using AgentHost.Kernel.Text;

namespace AgentHost.Kernel.Context;

/// <summary>Inlines a file: text (capped, head and tail) or a note for binary files.</summary>
internal static class FileContext
{
    public static async Task<ContextReference> ReadAsync(WorkspacePaths paths, string reference, string fullPath, ContextLimits limits, CancellationToken cancellationToken)
    {
        var title = paths.Relative(fullPath);
        var bytes = await File.ReadAllBytesAsync(fullPath, cancellationToken).ConfigureAwait(false);
        if (bytes.AsSpan(0, Math.Min(bytes.Length, 8192)).Contains((byte)0))
        {
            return new ContextReference(reference, ContextReferenceKind.File, title, $"(binary file, {bytes.Length} bytes, not inlined)");
        }

        var text = Encoding.UTF8.GetString(bytes).TrimStart('\uFEFF');
        return new ContextReference(reference, ContextReferenceKind.File, title, TextCaps.HeadAndTail(text, limits.MaxCharacters, out var cut)) { Truncated = cut };
    }
}
