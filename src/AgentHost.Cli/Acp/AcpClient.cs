using System.Text.Json;

namespace AgentHost.Cli.Acp;

/// <summary>What the client announced at <c>initialize</c>: its name and the capabilities the agent may use.</summary>
/// <param name="Name">The client's name (<c>clientInfo.name</c>), or null.</param>
/// <param name="ReadTextFile">Whether it answers <c>fs/read_text_file</c>.</param>
/// <param name="WriteTextFile">Whether it answers <c>fs/write_text_file</c>.</param>
/// <param name="Terminal">Whether it answers <c>terminal/*</c>.</param>
/// <param name="TerminalAuth">Whether it can run a <c>terminal</c> auth method.</param>
/// <param name="Elicitation">Whether it answers elicitation requests (form mode).</param>
internal sealed record AcpClient(string? Name, bool ReadTextFile, bool WriteTextFile, bool Terminal, bool TerminalAuth, bool Elicitation)
{
    /// <summary>Before <c>initialize</c>: nothing may be asked of the client.</summary>
    public static AcpClient None { get; } = new(null, false, false, false, false, false);

    /// <summary>Reads <c>initialize</c>'s params (absent or malformed capabilities count as not offered, as the schema's defaults say).</summary>
    public static AcpClient From(JsonElement parameters)
    {
        var capabilities = Property(parameters, "clientCapabilities");
        var fs = Property(capabilities, "fs");
        return new AcpClient(
            Property(Property(parameters, "clientInfo"), "name") is { ValueKind: JsonValueKind.String } name ? name.GetString() : null,
            IsTrue(fs, "readTextFile"),
            IsTrue(fs, "writeTextFile"),
            IsTrue(capabilities, "terminal"),
            IsTrue(Property(capabilities, "auth"), "terminal"),
            Property(capabilities, "elicitation") is { ValueKind: JsonValueKind.Object } elicitation && Property(elicitation, "form").ValueKind == JsonValueKind.Object);
    }

    private static JsonElement Property(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) ? value : default;

    private static bool IsTrue(JsonElement element, string name) => Property(element, name).ValueKind == JsonValueKind.True;
}
