using System.Text.Json;
using AgentHost.Sdk.Events;

namespace AgentHost.Testing;

/// <summary>One tool call that went through the kernel's tool pipeline, and what the model was told.</summary>
/// <param name="Tool">The tool name (as registered, when the tool was found).</param>
/// <param name="CallId">The call id: <c>call_&lt;turn&gt;_&lt;n&gt;</c> in a scripted run, <c>call_direct_&lt;n&gt;</c> for <see cref="PluginTestHost.CallToolAsync"/>.</param>
/// <param name="ArgumentsJson">The arguments as JSON (values that look like secrets are redacted, as in <c>agent</c>'s events).</param>
/// <param name="Status">How the call ended.</param>
/// <param name="Result">The text the model received: the tool's result, or <c>Error: …</c> when it did not succeed.</param>
/// <remarks>Immutable and thread-safe. Equality compares the five values above.</remarks>
public sealed record ToolCallRecord(string Tool, string CallId, string ArgumentsJson, ToolCallStatus Status, string Result)
{
    private static readonly JsonSerializerOptions ArgumentOptions = new(JsonSerializerDefaults.Web);

    /// <summary>The calls made in the same run (or through the same host), for failure messages.</summary>
    internal Func<IReadOnlyList<ToolCallRecord>>? CallsMade { get; init; }

    /// <summary>One argument, deserialized from <see cref="ArgumentsJson"/> (property names are matched exactly, then case-insensitively).</summary>
    /// <typeparam name="T">The type to read the value as.</typeparam>
    /// <param name="name">The parameter name.</param>
    /// <returns>The value, or <see langword="default"/> when the call did not pass it.</returns>
    /// <exception cref="PluginAssertionException">The value cannot be read as <typeparamref name="T"/>.</exception>
    public T? Argument<T>(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(ArgumentsJson);
        }
        catch (JsonException ex)
        {
            throw new PluginAssertionException($"the arguments of tool call '{Tool}' ({CallId}) are not JSON, so argument '{name}' cannot be read: {CallLog.Preview(ArgumentsJson, 300)}", ex);
        }

        using var owned = document;
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            return default;
        }

        var property = document.RootElement.EnumerateObject().FirstOrDefault(p => p.NameEquals(name));
        if (property.Value.ValueKind == JsonValueKind.Undefined)
        {
            property = document.RootElement.EnumerateObject().FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));
        }

        if (property.Value.ValueKind == JsonValueKind.Undefined)
        {
            return default;
        }

        try
        {
            return property.Value.Deserialize<T>(ArgumentOptions);
        }
        catch (JsonException ex)
        {
            throw new PluginAssertionException($"argument '{name}' of tool call '{Tool}' ({CallId}) is {property.Value.GetRawText()}, which cannot be read as {typeof(T).Name}: {ex.Message}", ex);
        }
    }

    /// <summary>Asserts that the call succeeded.</summary>
    /// <returns>This record, for chaining.</returns>
    /// <exception cref="PluginAssertionException">It did not; the message shows the status and the error.</exception>
    public ToolCallRecord AssertSucceeded() => AssertStatus(ToolCallStatus.Succeeded, "to succeed");

    /// <summary>Asserts that the call failed (the tool threw, its arguments were invalid, or it was not found).</summary>
    /// <returns>This record, for chaining.</returns>
    /// <exception cref="PluginAssertionException">It did not fail.</exception>
    public ToolCallRecord AssertFailed() => AssertStatus(ToolCallStatus.Failed, "to fail");

    /// <summary>Asserts that the permission gate denied the call (see <see cref="PluginTestHostOptions.Approve"/>).</summary>
    /// <returns>This record, for chaining.</returns>
    /// <exception cref="PluginAssertionException">It was not denied.</exception>
    public ToolCallRecord AssertDenied() => AssertStatus(ToolCallStatus.Denied, "to be denied by the permission gate");

    /// <summary>Asserts that the text the model received contains <paramref name="text"/> (ordinal comparison).</summary>
    /// <param name="text">The expected text.</param>
    /// <returns>This record, for chaining.</returns>
    /// <exception cref="PluginAssertionException">It does not; the message shows the result.</exception>
    public ToolCallRecord AssertResultContains(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!Result.Contains(text, StringComparison.Ordinal))
        {
            throw Fail($"Expected the result of tool call '{Tool}' ({CallId}) to contain \"{text}\", but the model received ({Status}): {CallLog.Preview(Result, 2000)}");
        }

        return this;
    }

    /// <inheritdoc />
    public bool Equals(ToolCallRecord? other) =>
        other is not null
        && string.Equals(Tool, other.Tool, StringComparison.Ordinal)
        && string.Equals(CallId, other.CallId, StringComparison.Ordinal)
        && string.Equals(ArgumentsJson, other.ArgumentsJson, StringComparison.Ordinal)
        && Status == other.Status
        && string.Equals(Result, other.Result, StringComparison.Ordinal);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Tool, CallId, ArgumentsJson, Status, Result);

    private ToolCallRecord AssertStatus(ToolCallStatus expected, string what)
    {
        if (Status != expected)
        {
            throw Fail($"Expected tool call '{Tool}' ({CallId}) {what}, but its status is {Status}. The model received: {CallLog.Preview(Result, 2000)}");
        }

        return this;
    }

    private PluginAssertionException Fail(string message) =>
        new(message + Environment.NewLine + CallLog.Describe(CallsMade?.Invoke() ?? [this]));
}
