namespace AgentHost.Sdk.Tools;

/// <summary>
/// Marks a public method as a tool for <see cref="PluginBuilderExtensions.AddTools{T}(IPluginBuilder)"/> and
/// <see cref="PluginBuilderExtensions.AddTools(IPluginBuilder, object)"/>. The method's
/// <see cref="System.ComponentModel.DescriptionAttribute"/> is the tool description (required); its parameters, with
/// their descriptions, become the JSON schema.
/// </summary>
/// <remarks>
/// <para>
/// Parameters not in the schema: <see cref="CancellationToken"/> (cancelled on Ctrl+C, time-out or unload),
/// <see cref="Microsoft.Extensions.AI.AIFunctionArguments"/> (the call's <see cref="ToolContext"/>),
/// <see cref="IServiceProvider"/> (the plugin's services) and <see cref="IProgress{T}"/> of <see cref="ToolProgress"/>
/// (the call's progress sink). Return a string, any JSON-serializable value, or a <see cref="ToolResult"/>.
/// </para>
/// <example>
/// <code>
/// [AgentTool("jira_issue", Effect = ToolEffect.Network, Subject = "key", Action = "read")]
/// [Description("Reads a Jira issue by key.")]
/// public Task&lt;JiraIssue&gt; GetIssueAsync([Description("Issue key, e.g. ABC-123")] string key, CancellationToken cancellationToken)
/// </code>
/// </example>
/// </remarks>
/// <param name="name">The tool name: letters, digits, <c>_</c>, <c>-</c> and <c>.</c>, at most 128 characters.</param>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class AgentToolAttribute(string name) : Attribute
{
    private bool? _parallelizable;
    private bool? _deferred;

    /// <summary>The tool name.</summary>
    public string Name { get; } = name;

    /// <summary>What the tool does to the world (<see cref="ToolEffect.None"/> by default); permissions decide by it.</summary>
    public ToolEffect Effect { get; set; }

    /// <summary>
    /// The parameter (its JSON name) whose value is the call's subject in permission prompts and rules, for example
    /// <c>path</c>, <c>url</c> or <c>key</c>. Without it, prompts show the tool name and the JSON arguments.
    /// </summary>
    public string? Subject { get; set; }

    /// <summary>
    /// The action word shown with the subject, for example <c>write</c> or <c>fetch</c>. Defaults by
    /// <see cref="Effect"/>: <c>run</c> (execute), <c>write</c>, <c>fetch</c> (network), <c>read</c>, else the tool name.
    /// </summary>
    public string? Action { get; set; }

    /// <summary>The per-call time limit in seconds; 0 (the default) uses the host's limit.</summary>
    public double TimeoutSeconds { get; set; }

    /// <summary>
    /// Whether calls may run in parallel with other parallelizable calls. When not set, the host decides by
    /// <see cref="Effect"/> (read-only tools run in parallel).
    /// </summary>
    public bool Parallelizable
    {
        get => _parallelizable ?? false;
        set => _parallelizable = value;
    }

    /// <summary>
    /// Whether the model is offered the tool only on demand (listed by name and summary, loaded through the host's
    /// <c>tool_search</c>); <see langword="false"/> offers it with every request. When not set, the host decides
    /// (<see cref="ToolMetadata.Deferred"/>): plugin tools are deferred.
    /// </summary>
    public bool Deferred
    {
        get => _deferred ?? true;
        set => _deferred = value;
    }

    /// <summary><see cref="Parallelizable"/> when it was set, else <see langword="null"/>.</summary>
    internal bool? ParallelizableOrDefault => _parallelizable;

    /// <summary><see cref="Deferred"/> when it was set, else <see langword="null"/>.</summary>
    internal bool? DeferredOrDefault => _deferred;
}
