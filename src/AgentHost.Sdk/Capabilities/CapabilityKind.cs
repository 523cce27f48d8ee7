namespace AgentHost.Sdk.Capabilities;

/// <summary>The kinds of capability a plugin can contribute.</summary>
public enum CapabilityKind
{
    /// <summary>A chat model provider: an <see cref="Microsoft.Extensions.AI.IChatClient"/> factory and model descriptors.</summary>
    ChatProvider,

    /// <summary>A tool the model can call: an <see cref="Microsoft.Extensions.AI.AIFunction"/> with <see cref="Tools.ToolMetadata"/>.</summary>
    Tool,

    /// <summary>Middleware around every tool invocation.</summary>
    ToolMiddleware,

    /// <summary>A language server definition.</summary>
    LspServer,

    /// <summary>A Model Context Protocol server definition.</summary>
    McpServer,

    /// <summary>A folder of Agent Skills (<c>&lt;name&gt;/SKILL.md</c>).</summary>
    SkillDirectory,

    /// <summary>A resolver for context references such as <c>@jira:ABC-1</c> in prompts.</summary>
    ContextResolver,

    /// <summary>A subscriber to host events.</summary>
    EventSubscriber,

    /// <summary>A workflow (docs/workflows.md) built in code with <see cref="Workflows.WorkflowBuilder"/>.</summary>
    Workflow,
}
