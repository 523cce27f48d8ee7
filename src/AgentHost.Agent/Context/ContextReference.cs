using Microsoft.Extensions.AI;

namespace AgentHost.Agent.Context;

/// <summary>What kind of thing a context reference named.</summary>
internal enum ContextReferenceKind
{
    /// <summary>A file, inlined (capped).</summary>
    File,

    /// <summary>A directory, listed (respecting .gitignore).</summary>
    Directory,

    /// <summary>A web page or document fetched over HTTP(S).</summary>
    Url,

    /// <summary>Resolved by a plugin's context resolver (<c>@prefix:value</c>).</summary>
    Plugin,

    /// <summary>An image file (PNG, JPEG, GIF, WebP by its bytes), attached as an image part.</summary>
    Image,

    /// <summary>An MCP server's resource (<c>@SERVER:URI</c>), or a resource a server's prompt embeds.</summary>
    Mcp,
}

/// <summary>One resolved context reference.</summary>
/// <param name="Reference">The reference as written, without the <c>@</c>.</param>
/// <param name="Kind">What it named.</param>
/// <param name="Title">A short label (relative path, URL or plugin title).</param>
/// <param name="Content">The text given to the model.</param>
internal sealed record ContextReference(string Reference, ContextReferenceKind Kind, string Title, string Content)
{
    /// <summary>Whether the content was cut to fit the caps.</summary>
    public bool Truncated { get; init; }

    /// <summary>Why the reference was not expanded (read rules, the fetch tool's guard or rules), when it was refused; <see cref="Content"/> then says so.</summary>
    public string? Denied { get; init; }

    /// <summary>For <see cref="ContextReferenceKind.Image"/>: the image part (bytes, media type, file name).</summary>
    public DataContent? Image { get; init; }
}

/// <summary>A prompt with its context references resolved.</summary>
/// <param name="Prompt">The prompt as the user wrote it.</param>
/// <param name="References">The resolved references, in order of appearance.</param>
/// <param name="Warnings">Tokens that looked like references but were left as text, with the reason.</param>
internal sealed record ExpandedPrompt(string Prompt, IReadOnlyList<ContextReference> References, IReadOnlyList<string> Warnings)
{
    /// <summary>The image parts the references attach, in order of appearance.</summary>
    public IReadOnlyList<DataContent> Images => [.. References.Select(r => r.Image).OfType<DataContent>()];

    /// <summary>What the user message carries: <see cref="ToModelText"/>, then one part per image.</summary>
    /// <returns>The parts.</returns>
    public IReadOnlyList<AIContent> ToModelContents() => [new TextContent(ToModelText()), .. Images];

    /// <summary>The text sent to the model: the prompt followed by one <c>&lt;context&gt;</c> block per reference.</summary>
    public string ToModelText()
    {
        if (References.Count == 0)
        {
            return Prompt;
        }

        var builder = new System.Text.StringBuilder(Prompt);
        foreach (var reference in References)
        {
            builder.Append("\n\n<context ref=\"").Append(reference.Reference).Append("\" kind=\"")
                .Append(reference.Kind.ToString().ToLowerInvariant()).Append("\">\n")
                .Append(reference.Content)
                .Append("\n</context>");
        }

        return builder.ToString();
    }
}
