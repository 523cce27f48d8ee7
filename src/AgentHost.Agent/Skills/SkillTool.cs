using System.ComponentModel;
using AgentHost.Agent.Tools;
using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Tools;
using Microsoft.Extensions.AI;

namespace AgentHost.Agent.Skills;

/// <summary>
/// The kernel's <c>skill</c> tool (read effect): activates a skill by name, returning its instructions wrapped with
/// its name and the list of its bundled files; with <c>file</c>, reads one of an active skill's files (wherever the
/// skill lives, so no file permission is needed). A repeated activation returns a short "already active" note.
/// </summary>
internal static class SkillTool
{
    /// <summary>The tool name.</summary>
    public const string Name = "skill";

    /// <summary>The plugin id kernel tools are registered under in events and the audit log.</summary>
    public const string KernelPluginId = AgentHost.Hosting.Plugins.PluginIds.Kernel;

    /// <summary>The tool description the model sees.</summary>
    public const string Description =
        "Activates a skill from <available_skills> (once, before a task it covers): returns its instructions and bundled files. " +
        "With 'file', reads one of an active skill's files.";

    /// <summary>
    /// The function, one per process; each session binds its active skills to it. Like <c>ask_user</c>'s, its reflection
    /// waits until it is first called or its schema is first read, and a run describes it from the schema cache.
    /// </summary>
    private static readonly Lazy<AIFunction> Template = new(CreateTemplate);

    /// <summary>A new (unbuilt) process-wide function: <see cref="Template"/>'s, and tests' own.</summary>
    /// <returns>The function.</returns>
    internal static AIFunction CreateTemplate() => new DeferredMethodFunction(
        ([Description("The skill name as listed.")] string name,
         [Description("A file of the active skill, relative to its folder.")] string? file = null,
         AIFunctionArguments arguments = null!) =>
        {
            var skills = SessionBoundFunction.StateOf<ActiveSkills>(arguments);
            try
            {
                return string.IsNullOrWhiteSpace(file) ? skills.ActivateForModel(name) : skills.ReadFile(name, file);
            }
            catch (SkillActivationException ex)
            {
                throw new InvalidOperationException(ex.Message, ex);
            }
        },
        new AIFunctionFactoryOptions { Name = Name, Description = Description });

    /// <summary>Creates the process-wide function ahead of the first session, on the calling thread (nothing is built by reflection).</summary>
    public static void Prepare() => _ = Template.Value;

    /// <summary>Creates the tool for a session.</summary>
    /// <param name="skills">The session's active skills.</param>
    /// <returns>The tool capability.</returns>
    public static ToolCapability Create(ActiveSkills skills)
    {
        ArgumentNullException.ThrowIfNull(skills);
        var function = new SessionBoundFunction(Template.Value, skills);
        return new ToolCapability(function, new ToolMetadata(ToolEffect.Read) { DescribeCall = Describe, Parallelizable = false });
    }

    private static ToolCallDescription Describe(AIFunctionArguments arguments)
    {
        var name = arguments.TryGetValue("name", out var value) ? value?.ToString() : null;
        var file = arguments.TryGetValue("file", out var f) ? f?.ToString() : null;
        return new ToolCallDescription(string.IsNullOrWhiteSpace(file) ? "activate skill" : "read skill file", null)
        {
            Details = string.IsNullOrWhiteSpace(file) ? name : $"{name}: {file}",
        };
    }
}
