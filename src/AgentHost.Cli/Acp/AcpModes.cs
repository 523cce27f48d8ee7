using System.Text.Json.Nodes;
using AgentHost.Permissions;

namespace AgentHost.Cli.Acp;

/// <summary>
/// The session's permission modes as ACP session modes (<c>modes</c>, <c>session/set_mode</c>,
/// <c>current_mode_update</c>) and its model as a session config option (<c>configOptions</c>, id <c>model</c>,
/// category <c>model</c>, <c>session/set_config_option</c>, <c>config_option_update</c>). docs/acp.md.
/// </summary>
internal static class AcpModes
{
    /// <summary>The config option id of the model.</summary>
    public const string ModelOption = "model";

    private static readonly Dictionary<string, (string Name, string Description)> Descriptions = new(StringComparer.Ordinal)
    {
        ["ask"] = ("Ask", "Reads run; writes, commands and network calls ask you first."),
        ["accept-edits"] = ("Accept edits", "Like Ask, and file edits inside the project run without asking."),
        ["plan"] = ("Plan", "Read-only: the model is offered no tool that writes, runs or fetches."),
        ["yolo"] = ("Yolo", "Everything runs except deny and ask rules and the safety floor."),
        ["dont-ask"] = ("Don't ask", "What no rule allows is denied; nothing asks."),
    };

    /// <summary>The <c>modes</c> of a session whose current mode is <paramref name="current"/>.</summary>
    public static JsonObject State(string current) => new()
    {
        ["currentModeId"] = current,
        ["availableModes"] = new JsonArray([.. PermissionModes.Names.Select(id => (JsonNode?)new JsonObject
        {
            ["id"] = id,
            ["name"] = Descriptions[id].Name,
            ["description"] = Descriptions[id].Description,
        })]),
    };

    /// <summary>A <c>current_mode_update</c>.</summary>
    public static JsonObject Update(string mode) => new() { ["sessionUpdate"] = "current_mode_update", ["currentModeId"] = mode };

    /// <summary>The mode an ACP mode id names, or InvalidParams naming the modes.</summary>
    public static PermissionMode Parse(string modeId, string method) =>
        Descriptions.ContainsKey(modeId) && PermissionModes.TryParse(modeId, out var mode)
            ? mode
            : throw AcpErrors.InvalidParams($"{method}: \"modeId\" '{modeId}' is not a mode of this agent; use one of {string.Join(", ", PermissionModes.Names)}.");

    /// <summary>The session's config options: the model, among the usable ones.</summary>
    /// <param name="current">The session's model (<c>provider/model</c>), or null while the first turn has not chosen one.</param>
    /// <param name="usable">The usable models (<c>provider/model</c>).</param>
    public static JsonArray ConfigOptions(string? current, IEnumerable<string> usable)
    {
        var value = current ?? "auto";
        var values = usable.Prepend(value).Distinct(StringComparer.Ordinal).ToList();
        return
        [
            new JsonObject
            {
                ["id"] = ModelOption,
                ["name"] = "Model",
                ["description"] = "The model of the next model request (provider/model); 'auto' is the configured or automatic choice.",
                ["category"] = "model",
                ["type"] = "select",
                ["currentValue"] = value,
                ["options"] = new JsonArray([.. values.Select(v => (JsonNode?)new JsonObject { ["value"] = v, ["name"] = v == "auto" ? "Automatic" : v })]),
            },
        ];
    }

    /// <summary>A <c>config_option_update</c>.</summary>
    public static JsonObject ConfigUpdate(JsonArray options) => new() { ["sessionUpdate"] = "config_option_update", ["configOptions"] = options };
}
