using System.Diagnostics.CodeAnalysis;
using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Events;
using AgentHost.Sdk.Tools;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AgentHost.Sdk;

/// <summary>Conveniences for adding each capability kind to an <see cref="IPluginBuilder"/>.</summary>
public static class PluginBuilderExtensions
{
    /// <summary>Adds a tool.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="function">The function the model calls.</param>
    /// <param name="effect">What it does to the world.</param>
    /// <param name="describeCall">How a call is shown in a permission prompt.</param>
    /// <returns>The builder.</returns>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "Shipped in SDK 1.0; the overloads differ in required parameter types, so calls are unambiguous.")]
    public static IPluginBuilder AddTool(
        this IPluginBuilder builder,
        AIFunction function,
        ToolEffect effect,
        Func<AIFunctionArguments, ToolCallDescription>? describeCall = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Add(new ToolCapability(function, new ToolMetadata(effect) { DescribeCall = describeCall }));
    }

    /// <summary>Adds a tool from a delegate; its parameters (with <see cref="System.ComponentModel.DescriptionAttribute"/>) become the JSON schema.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="name">The tool name.</param>
    /// <param name="description">What the tool does, for the model.</param>
    /// <param name="effect">What it does to the world.</param>
    /// <param name="method">The implementation. An <see cref="AIFunctionArguments"/> parameter receives the host's <see cref="ToolContext"/>.</param>
    /// <param name="describeCall">How a call is shown in a permission prompt and matched by rules.</param>
    /// <returns>The builder.</returns>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "Shipped in SDK 1.0; the overloads differ in required parameter types, so calls are unambiguous.")]
    public static IPluginBuilder AddTool(
        this IPluginBuilder builder,
        string name,
        string description,
        ToolEffect effect,
        Delegate method,
        Func<AIFunctionArguments, ToolCallDescription>? describeCall = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddTool(name, description, new ToolMetadata(effect) { DescribeCall = describeCall }, method);
    }

    /// <summary>
    /// Adds a tool from a delegate with full metadata (effect, call description, time limit, parallelism); its
    /// parameters (with <see cref="System.ComponentModel.DescriptionAttribute"/>) become the JSON schema.
    /// </summary>
    /// <remarks>
    /// The function is built by <see cref="AIFunctionFactory"/> with the plugin's <see cref="PluginContext.SerializerOptions"/>
    /// when it is first invoked or described; the host caches the generated schema per build of the plugin, so
    /// registering tools costs no reflection at start-up.
    /// </remarks>
    /// <param name="builder">The builder.</param>
    /// <param name="name">The tool name.</param>
    /// <param name="description">What the tool does, for the model.</param>
    /// <param name="metadata">What it does to the world and how calls are shown, limited and scheduled.</param>
    /// <param name="method">The implementation. An <see cref="AIFunctionArguments"/> parameter receives the host's <see cref="ToolContext"/>.</param>
    /// <returns>The builder.</returns>
    public static IPluginBuilder AddTool(this IPluginBuilder builder, string name, string description, ToolMetadata metadata, Delegate method)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(metadata);
        ArgumentNullException.ThrowIfNull(method);
        var function = new DeferredMethodFunction(method, ToolFunctionOptions.Create(name, description, builder.Context.SerializerOptions));
        return builder.Add(new ToolCapability(function, metadata));
    }

    /// <summary>
    /// Adds a tool for every method of <typeparamref name="T"/> marked <see cref="AgentToolAttribute"/>. One
    /// <typeparamref name="T"/> is created from the plugin's service provider on the first call of any of them (so its
    /// constructor may take <c>ILogger&lt;T&gt;</c>, <see cref="PluginContext"/>, settings objects, <c>HttpClient</c>…)
    /// and shared by all of them; it is registered as a singleton unless <see cref="IPluginBuilder.Services"/> already has it,
    /// and disposed with the plugin.
    /// </summary>
    /// <remarks>
    /// Only attributes are read here; each tool's JSON schema is built when it is first described or called (and cached
    /// by the host), as for <see cref="AddTool(IPluginBuilder, string, string, ToolMetadata, Delegate)"/>. The object
    /// must be thread-safe: calls may run concurrently.
    /// </remarks>
    /// <typeparam name="T">The class whose public methods are tools.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException">
    /// <typeparamref name="T"/> has no attributed methods, or one is not public, is generic, has no description, an
    /// invalid or duplicate name, a bad time limit, or a <see cref="AgentToolAttribute.Subject"/> that names no parameter.
    /// </exception>
    public static IPluginBuilder AddTools<T>(this IPluginBuilder builder)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(builder);
        var tools = AttributedTools.Create(typeof(T), new ToolTarget(typeof(T)), builder.Context.SerializerOptions, out var hasInstanceMethods);
        if (hasInstanceMethods)
        {
            builder.Services.TryAddSingleton<T>();
        }

        return AddAll(builder, tools);
    }

    /// <summary>Adds a tool for every method of <paramref name="instance"/>'s type marked <see cref="AgentToolAttribute"/>, called on <paramref name="instance"/>.</summary>
    /// <remarks>The instance must be thread-safe (calls may run concurrently); the plugin owns it.</remarks>
    /// <param name="builder">The builder.</param>
    /// <param name="instance">The object whose methods are called.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException">The type has no attributed methods or one is declared wrongly (see <see cref="AddTools{T}(IPluginBuilder)"/>).</exception>
    public static IPluginBuilder AddTools(this IPluginBuilder builder, object instance)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(instance);
        return AddAll(builder, AttributedTools.Create(instance.GetType(), new ToolTarget(instance), builder.Context.SerializerOptions, out _));
    }

    private static IPluginBuilder AddAll(IPluginBuilder builder, List<ToolCapability> tools)
    {
        foreach (var tool in tools)
        {
            builder.Add(tool);
        }

        return builder;
    }

    /// <summary>Adds a chat provider type.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="name">The provider type name.</param>
    /// <param name="createClient">Creates a client for a configured provider and model.</param>
    /// <param name="models">Models known without asking the endpoint.</param>
    /// <returns>The builder.</returns>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "Shipped in SDK 1.0; the overloads differ in required parameter types, so calls are unambiguous.")]
    public static IPluginBuilder AddChatProvider(
        this IPluginBuilder builder,
        string name,
        Func<ChatProviderOptions, IServiceProvider, IChatClient> createClient,
        IReadOnlyList<ModelDescriptor>? models = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Add(new ChatProviderCapability(name, createClient) { Models = models ?? [] });
    }

    /// <summary>Adds a chat provider type that can also list the models an endpoint offers.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="name">The provider type name used in configuration.</param>
    /// <param name="createClient">Creates a client for a configured provider and model.</param>
    /// <param name="discoverModels">Lists the endpoint's models (see <see cref="ChatProviderCapability.DiscoverModels"/>).</param>
    /// <param name="models">Models known without asking the endpoint.</param>
    /// <returns>The builder.</returns>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "Shipped in SDK 1.0; the overloads differ in required parameter types, so calls are unambiguous.")]
    public static IPluginBuilder AddChatProvider(
        this IPluginBuilder builder,
        string name,
        Func<ChatProviderOptions, IServiceProvider, IChatClient> createClient,
        Func<ChatProviderOptions, IServiceProvider, CancellationToken, Task<IReadOnlyList<ModelDescriptor>>> discoverModels,
        IReadOnlyList<ModelDescriptor>? models = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Add(new ChatProviderCapability(name, createClient) { Models = models ?? [], DiscoverModels = discoverModels });
    }

    /// <summary>Adds tool middleware.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="name">The middleware name.</param>
    /// <param name="middleware">The middleware.</param>
    /// <param name="order">Lower runs outermost.</param>
    /// <returns>The builder.</returns>
    public static IPluginBuilder AddToolMiddleware(this IPluginBuilder builder, string name, ToolMiddleware middleware, int order = 0)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Add(new ToolMiddlewareCapability(name, middleware) { Order = order });
    }

    /// <summary>Adds a skills folder relative to the plugin folder.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="relativePath">The folder, relative to the plugin folder.</param>
    /// <returns>The builder.</returns>
    public static IPluginBuilder AddSkillDirectory(this IPluginBuilder builder, string relativePath)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(relativePath);
        var full = Path.GetFullPath(Path.Combine(builder.Context.Directory, relativePath));
        return builder.Add(new SkillDirectoryCapability(relativePath.Replace('\\', '/').Trim('/'), full));
    }

    /// <summary>Adds a context reference resolver for <c>@<paramref name="prefix"/>:…</c>.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="prefix">The reference prefix.</param>
    /// <param name="resolver">The resolver.</param>
    /// <returns>The builder.</returns>
    public static IPluginBuilder AddContextResolver(this IPluginBuilder builder, string prefix, ContextReferenceResolver resolver)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Add(new ContextResolverCapability(prefix, resolver));
    }

    /// <summary>Subscribes a handler to events of type <typeparamref name="TEvent"/> while the plugin is loaded.</summary>
    /// <typeparam name="TEvent">The event type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="name">The subscriber name.</param>
    /// <param name="handler">The handler.</param>
    /// <returns>The builder.</returns>
    public static IPluginBuilder OnEvent<TEvent>(this IPluginBuilder builder, string name, Func<TEvent, CancellationToken, ValueTask> handler)
        where TEvent : AgentEvent
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(handler);
        return builder.Add(new EventSubscriberCapability(name, typeof(TEvent), (e, ct) => handler((TEvent)e, ct)));
    }

    /// <summary>Adds a workflow built with <see cref="Workflows.WorkflowBuilder"/> (listed by <c>agent workflow list</c>, run by <c>agent workflow run</c>).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="workflow">The workflow.</param>
    /// <returns>The builder.</returns>
    public static IPluginBuilder AddWorkflow(this IPluginBuilder builder, Workflows.WorkflowDefinition workflow)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(workflow);
        return builder.Add(new WorkflowCapability(workflow));
    }
}
