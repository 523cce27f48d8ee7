using System.ComponentModel;
using AgentHost.Agent.Tools;
using AgentHost.Hosting.Capabilities;
using AgentHost.Hosting.Plugins;
using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Tools;
using Microsoft.Extensions.AI;

namespace AgentHost.Agent.Memory;

/// <summary>
/// The kernel's <c>remember</c> tool, offered only with <c>memory.auto_update</c> on: the model records one thing it
/// learned about the project; the session's <see cref="MemoryAutoUpdater"/> writes the turn's notes at its end. The
/// call itself changes nothing (effect none), so it needs no permission; the write at the end of the turn does.
/// </summary>
internal static class RememberTool
{
    /// <summary>The tool name.</summary>
    public const string Name = "remember";

    /// <summary>The tool description the model sees.</summary>
    public const string Description =
        "Records one thing you learned about this project that later sessions should know: a build or test command that works, a convention, a pitfall you hit. " +
        "Saved to the project memory file at the end of the turn.";

    private static readonly Lazy<AIFunction> Template = new(CreateTemplate);

    /// <summary>A new (unbuilt) process-wide function: <see cref="Template"/>'s, and tests' own.</summary>
    /// <returns>The function.</returns>
    internal static AIFunction CreateTemplate() => new DeferredMethodFunction(
        ([Description("One short line.")] string note,
         [Description("build, convention or pitfall.")] string? category = null,
         AIFunctionArguments arguments = null!) =>
            SessionBoundFunction.StateOf<MemoryAutoUpdater>(arguments).Add(note, category),
        new AIFunctionFactoryOptions { Name = Name, Description = Description });

    /// <summary>Creates the tool for a session.</summary>
    /// <param name="updater">The session's updater.</param>
    /// <returns>The tool, registered as plugin <c>kernel</c>.</returns>
    public static RegisteredCapability Create(MemoryAutoUpdater updater)
    {
        ArgumentNullException.ThrowIfNull(updater);
        var function = new SessionBoundFunction(Template.Value, updater);
        var tool = new ToolCapability(function, new ToolMetadata(ToolEffect.None)
        {
            DescribeCall = arguments => new ToolCallDescription("remember", arguments.TryGetValue("note", out var note) ? LearnedNote.Neutralise(note?.ToString() ?? string.Empty) : null),
            Deferred = false,
        });
        return new RegisteredCapability(tool, PluginIds.Kernel, typeof(RememberTool).Assembly.GetName().Version?.ToString(3) ?? "0.0.0");
    }
}
