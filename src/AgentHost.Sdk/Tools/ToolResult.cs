using System.Text.Json;
using Microsoft.Extensions.AI;

namespace AgentHost.Sdk.Tools;

/// <summary>
/// What a tool may return instead of a plain string or object: text for the model, an optional structured value for
/// programs, an optional one-line summary for people, or a failure reported to the model without throwing.
/// </summary>
/// <remarks>
/// <para>
/// The model receives <see cref="Text"/>; when it is <see langword="null"/>, the JSON of <see cref="Structured"/>
/// (serialized with the function's <see cref="Microsoft.Extensions.AI.AIFunction.JsonSerializerOptions"/>, the plugin's
/// <see cref="PluginContext.SerializerOptions"/> for tools added with <c>AddTool</c>/<c>AddTools</c>). A failure
/// (<see cref="Failure"/>) ends the call with status <see cref="Events.ToolCallStatus.Failed"/> and gives the model
/// <c>Error: </c> followed by the message, exactly as a thrown exception would, but without the exception.
/// </para>
/// <para>
/// Declare the tool's return type as <see cref="ToolResult"/> (or <see cref="Task{TResult}"/>/<see cref="ValueTask{TResult}"/>
/// of it): it is an <see cref="AIContent"/>, which the function factory passes to the host unchanged, whereas a result
/// declared as <see cref="object"/> is turned into JSON first. Returning plain strings and objects keeps working unchanged.
/// </para>
/// <para>Immutable and thread-safe once returned; add a summary with <see cref="WithSummary"/>.</para>
/// </remarks>
public sealed class ToolResult : AIContent
{
    private ToolResult(string? text, object? structured, string? error, string? summary = null)
    {
        Summary = summary;
        Text = text;
        Structured = structured;
        Error = error;
    }

    /// <summary>The text given to the model, or <see langword="null"/> to give it the JSON of <see cref="Structured"/>.</summary>
    public string? Text { get; }

    /// <summary>A structured value (any JSON-serializable object, or a <see cref="System.Text.Json.JsonElement"/>), when any.</summary>
    public object? Structured { get; }

    /// <summary>The failure message for the model, when the call failed; <see langword="null"/> on success.</summary>
    public string? Error { get; }

    /// <summary>Whether the call failed (<see cref="Failure"/>).</summary>
    public bool IsError => Error is not null;

    /// <summary>
    /// A short summary for people, shown as the call's result preview (<see cref="Events.ToolCallCompletedEvent.ResultPreview"/>)
    /// instead of the start of the text; the model never sees it.
    /// </summary>
    public string? Summary { get; }

    /// <summary>Returns a copy with <see cref="Summary"/> set: <c>ToolResult.Success(issue, text).WithSummary(issue.Key)</c>.</summary>
    /// <param name="summary">A short summary for people (one line).</param>
    /// <returns>The copy.</returns>
    public ToolResult WithSummary(string summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        return new ToolResult(Text, Structured, Error, summary);
    }

    /// <summary>A successful result with text for the model.</summary>
    /// <param name="text">The text the model receives.</param>
    /// <returns>The result.</returns>
    public static ToolResult Success(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new ToolResult(text, null, null);
    }

    /// <summary>A successful result with a structured value and, optionally, the text the model receives instead of its JSON.</summary>
    /// <param name="value">The structured value (serialized to JSON by the host).</param>
    /// <param name="text">The text for the model; <see langword="null"/> gives the model the value's JSON.</param>
    /// <returns>The result.</returns>
    public static ToolResult Success(object value, string? text = null)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new ToolResult(text, value, null);
    }

    /// <summary>A failed call: the model receives <c>Error: </c><paramref name="message"/> and the call's status is failed.</summary>
    /// <param name="message">What went wrong and, ideally, what the model should do instead.</param>
    /// <returns>The result.</returns>
    public static ToolResult Failure(string message)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(message);
        return new ToolResult(null, null, message);
    }

    /// <summary>
    /// Appends <paramref name="text"/> to whatever a tool returned, for tool middleware that adds to a result (diagnostics
    /// after an edit, notes for the model). A <see cref="ToolResult"/> stays one and keeps its structured value and
    /// summary; a failure is returned unchanged (its message is the error); any other value becomes its text for the
    /// model followed by <paramref name="text"/>. Turning a <see cref="ToolResult"/> into a string instead would lose
    /// its value and summary, and would report a failure as a success.
    /// </summary>
    /// <param name="result">What the tool (or the next middleware) returned.</param>
    /// <param name="text">The text to append, separator included (e.g. <c>"\n\n"</c> first).</param>
    /// <returns>The result with the text appended.</returns>
    public static object AppendText(object? result, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return result switch
        {
            ToolResult { IsError: true } failure => failure,
            ToolResult success => new ToolResult(TextOf(success.Text ?? success.Structured) + text, success.Structured, null, success.Summary),
            _ => TextOf(result) + text,
        };
    }

    /// <summary>The text for the model of a result value; objects as compact JSON (the function factory's defaults).</summary>
    private static string TextOf(object? value)
    {
        switch (value)
        {
            case null or JsonElement { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined }:
                return "(no output)";
            case string text:
                return text;
            case JsonElement { ValueKind: JsonValueKind.String } element:
                return element.GetString() ?? string.Empty;
            case JsonElement element:
                return element.GetRawText();
            case TextContent content:
                return content.Text;
            default:
                try
                {
                    return JsonSerializer.Serialize(value, value.GetType(), AIJsonUtilities.DefaultOptions);
                }
                catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException)
                {
                    return value.ToString() ?? string.Empty;
                }
        }
    }

    /// <summary>The text for the model (or <c>Error: </c> and the message), for code that treats results as text.</summary>
    /// <returns>The text; a structured value without text gives its <see cref="object.ToString"/>.</returns>
    public override string ToString() => Text ?? (Error is null ? Structured?.ToString() ?? string.Empty : "Error: " + Error);
}
