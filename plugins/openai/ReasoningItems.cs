using System.ClientModel.Primitives;
using System.Text.Json;
using OpenAI;
using OpenAI.Responses;

namespace AgentHost.Plugins.OpenAI;

/// <summary>
/// Keeps a Responses API reasoning item (its id, summary and <c>encrypted_content</c>) across turns: the whole item, as
/// the server sent it, rides in <see cref="Microsoft.Extensions.AI.TextReasoningContent.ProtectedData"/> (which the
/// session store keeps verbatim) and goes back as an input item on the next request.
/// </summary>
internal static class ReasoningItems
{
    /// <summary>The item as JSON, for <see cref="Microsoft.Extensions.AI.TextReasoningContent.ProtectedData"/>.</summary>
    /// <param name="item">The reasoning item from <c>response.output_item.done</c> (or a whole response).</param>
    /// <returns>The JSON text.</returns>
    public static string ToProtectedData(ReasoningResponseItem item) =>
        ModelReaderWriter.Write(item, ModelReaderWriterOptions.Json, OpenAIContext.Default).ToString();

    /// <summary>
    /// The reasoning item kept in protected data, when it is one of ours and can be sent back: with
    /// <c>store: false</c> the server has no copy, so an item without <c>encrypted_content</c> would be refused.
    /// Anything else (another provider's signature, reasoning text from Chat Completions) gives <see langword="null"/>.
    /// </summary>
    /// <param name="protectedData">The protected data.</param>
    /// <param name="store">Whether the endpoint keeps responses (<c>store: true</c>), so an item id alone is enough.</param>
    /// <returns>The item, or <see langword="null"/>.</returns>
    public static ReasoningResponseItem? FromProtectedData(string? protectedData, bool store)
    {
        if (protectedData is null || !protectedData.TrimStart().StartsWith('{'))
        {
            return null;
        }

        try
        {
            if (ModelReaderWriter.Read<ResponseItem>(BinaryData.FromString(protectedData), ModelReaderWriterOptions.Json, OpenAIContext.Default) is not ReasoningResponseItem { Id.Length: > 0 } item
                || (!store && item.EncryptedContent is not { Length: > 0 }))
            {
                return null;
            }

            item.Status = null; // an output-only field
            return item;
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException or ArgumentException)
        {
            return null; // Not a reasoning item of this API: leave it out rather than fail the request.
        }
    }
}
