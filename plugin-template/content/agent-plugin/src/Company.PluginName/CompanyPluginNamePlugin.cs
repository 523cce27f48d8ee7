using AgentHost.Sdk;
using AgentHost.Sdk.Tools;

namespace Company.PluginName;

/// <summary>The plugin's entry point (named in plugin.yaml): registers its capabilities with the host.</summary>
public sealed class CompanyPluginNamePlugin : AgentPlugin
{
    /// <inheritdoc />
    protected override void RegisterCore(IPluginBuilder builder)
    {
        // Runs once when the plugin loads: keep it fast and free of I/O. The tool itself runs per call.
        builder.AddTool(
            TextStatsTool.Name,
            TextStatsTool.Description,
            new ToolMetadata(ToolEffect.Read)
            {
                // What a permission prompt shows: "read README.md". GetOptionalString/GetString/GetInt32/… read an
                // argument whether it came as JSON or as a .NET value, and throw a ToolException naming it when it
                // has the wrong type. A description that needs I/O (a diff preview) goes in DescribeCallAsync.
                DescribeCall = arguments => new ToolCallDescription("read", arguments.GetOptionalString("path")),
                Timeout = TimeSpan.FromSeconds(30),
            },
            TextStatsTool.RunAsync);

        // The skill folder (skills/<name>/SKILL.md) is declared in plugin.yaml (skills: skills); nothing to do here.
    }
}
