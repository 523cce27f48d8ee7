using System.CommandLine;
using AgentHost.Agent.Composition;
using AgentHost.Agent.Engine;
using AgentHost.Agent.Mcp;
using AgentHost.Agent.Runs;
using AgentHost.Hosting;
using AgentHost.Hosting.Capabilities;
using AgentHost.Hosting.Configuration;
using AgentHost.Hosting.Logging;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Installed;
using AgentHost.Hosting.Plugins.Loading;
using AgentHost.Hosting.Security;
using AgentHost.Hosting.Trust;
using AgentHost.Permissions;
using AgentHost.Permissions.Gate;
using AgentHost.Permissions.Rules;
using AgentHost.Permissions.Sandbox;
using AgentHost.Sdk.Capabilities;
using Microsoft.Extensions.DependencyInjection;

namespace AgentHost.Cli;

/// <summary>
/// The options of the commands that call tools without a model — <c>agent tool run</c> and <c>agent mcp serve</c>:
/// plugins, <c>--root</c>, <c>--permission-mode</c> and <c>--allow</c>; and what they compose from them
/// (<see cref="HeadlessTools"/>): the configuration, the plugin runtime, the permission gate and the tool pipeline.
/// </summary>
internal sealed class HeadlessToolOptions
{
    public PluginOptions Plugins { get; } = new();

    public Option<string?> Root { get; } = new("--root") { Description = "The project root the tools work in (default: the project containing the current directory)." };

    public Option<string?> PermissionMode { get; } = PermissionModeOption.Create();

    public Option<string[]> Allow { get; } = AllowOption.Create();

    /// <summary>Adds every option to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(Root);
        Plugins.AddTo(command);
        command.Options.Add(PermissionMode);
        command.Options.Add(Allow);
    }

    /// <summary>Validates the options, loads the plugins and builds the gate and the pipeline for the root.</summary>
    /// <param name="interactive">Whether a person can answer permission questions (<c>agent tool run</c> at a terminal); otherwise what would ask is denied.</param>
    /// <param name="gate">Wraps the rules' gate (e.g. <c>mcp serve</c> asks its client through elicitation); the rules' gate itself when <see langword="null"/>.</param>
    /// <param name="kernelTools">Tools the command adds beside the plugins' for the root (<c>mcp serve --agent-tool</c>'s <c>run_agent</c>).</param>
    /// <param name="mcpServers">
    /// Whether the MCP servers a run would use are started too (<see cref="StartMcpServersAsync"/>), so their tools can be
    /// called: <c>agent tool run</c>, only when <paramref name="calling"/> is not a plugin's tool (a call of a plugin's
    /// tool starts no server).
    /// </param>
    /// <param name="calling">
    /// The tool the command is about to call (<c>agent tool run NAME</c>): when a dormant plugin declares it, that plugin's
    /// activation (its files' hash check, its code's load and <c>Register</c>) starts in the background as soon as the
    /// plugins are loaded, so it overlaps the permission gate's and the pipeline's set-up and the call's own first steps;
    /// the call joins it, and decides, validates and scrubs exactly as before (see <see cref="StartCalledPluginActivation"/>).
    /// </param>
    public async Task<HeadlessTools> OpenAsync(
        CliContext context,
        ParseResult parseResult,
        bool interactive,
        CancellationToken cancellationToken,
        Func<RulePermissionGate, string, IToolPermissionGate>? gate = null,
        Func<string, IReadOnlyList<RegisteredCapability>>? kernelTools = null,
        string? calling = null,
        bool mcpServers = false)
    {
        AllowOption.Validate(parseResult, Allow);
        ConfigurationSnapshot configuration;
        using (StartupActivities.Start("configuration"))
        {
            configuration = context.Configuration(parseResult);
        }

        var root = parseResult.GetValue(Root) is { } r ? Path.GetFullPath(r, context.Environment.CurrentDirectory) : configuration.ProjectRoot;
        if (!Directory.Exists(root))
        {
            throw new AgentHostException(ErrorKind.Usage, $"--root {root}: no such directory.");
        }

        // The one recipe of a project root, without a session service: the tools are called without a model (no
        // provider preloaded), through the permission gate and the pipeline made below.
        var project = await context.ProjectRoots(parseResult).OpenAsync(
            new ProjectRootRequest(root)
            {
                Configuration = configuration,
                SessionService = false,
                PreloadProviders = false,
                WorkingDirectory = context.Environment.CurrentDirectory,
                Attach = _ =>
                {
                    StartupActivities.Mark("tool.runtime");
                    return null;
                },
                Plugins = _ => new ProjectRootPlugins(Plugins.Requested(parseResult), Plugins.Defaults(parseResult, configuration)),
            },
            cancellationToken).ConfigureAwait(false);
        var runtime = project.Runtime;
        McpSessionServers? mcp = null;
        try
        {
            StartupActivities.Mark("tool.plugins");
            if (calling is not null && kernelTools is null)
            {
                StartCalledPluginActivation(runtime, calling);
            }

            if (mcpServers && (calling is null || runtime.Registry.Find(CapabilityKind.Tool, calling) is null))
            {
                mcp = await StartMcpServersAsync(context, runtime, configuration, root).ConfigureAwait(false);
            }

            var rules = AgentRunner.CreatePermissionGate(configuration, root, context.Environment, PermissionModeOption.Parse(parseResult, PermissionMode), interactive, runtime.Events);
            var decider = gate is null ? rules : gate(rules, root);
            var others = kernelTools?.Invoke(root);
            Action<Action> onMcpToolsChanged = static _ => { };
            var tools = mcp is null ? others : RunMcpServers.KernelTools(mcp, others ?? [], out onMcpToolsChanged);
            // The same sandbox as a session's shell (sandbox.mode: required refuses to run a command it cannot contain).
            var sandbox = RunSandbox.Create(
                configuration, context.Environment, root, PermissionPolicy.FromConfiguration(configuration, ProjectTrust.Load(context.Paths)),
                "tool" + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), modeOverride: null, runtime.Events);
            var pipeline = AgentRunner.CreatePipeline(runtime, decider, context.Services.GetRequiredService<SecretScrubber>(), TimeProvider.System, kernelTools: tools, sandbox: sandbox,
                processEnvironment: context.Services.GetRequiredService<SessionProcessEnvironment>().ForModel);
            onMcpToolsChanged(pipeline.InvalidateToolSet);
            StartupActivities.Mark("tool.pipeline");
            return new HeadlessTools(project, pipeline) { Gate = decider, Mcp = mcp, Sandbox = sandbox };
        }
        catch
        {
            if (mcp is not null)
            {
                await mcp.DisposeAsync().ConfigureAwait(false);
            }

            await project.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Starts the MCP servers a run in <paramref name="root"/> would use, as a session starts them
    /// (<see cref="RunMcpServers.Start"/>: the same definitions, trust, sandbox and listing cache), and waits for them;
    /// a server that did not start is reported as a warning on stderr. The caller disposes the result.
    /// </summary>
    public static async Task<McpSessionServers> StartMcpServersAsync(CliContext context, PluginRuntime runtime, ConfigurationSnapshot configuration, string root)
    {
        var trust = ProjectTrust.Load(context.Paths);
        var servers = await RunMcpServers.Start(runtime, configuration, context.Environment, trust, PermissionPolicy.FromConfiguration(configuration, trust), root).ConfigureAwait(false);
        // A command that lists or calls tools needs the whole listing: plugins' servers starting in the background are waited for here.
        await servers.StartAllAndWaitAsync().ConfigureAwait(false);
        foreach (var failed in servers.Statuses.Where(s => s.Error is not null))
        {
            context.Console.WriteInfo($"warning: MCP server {failed.Definition.Name} not started: {failed.Error}");
        }

        return servers;
    }

    /// <summary>
    /// Starts the activation of the dormant plugin that declares <paramref name="toolName"/> (plain or
    /// <c>plugin-id/name</c>), as a session does when a model's answer names a tool (<see cref="PluginHost.ActivateInBackground"/>):
    /// on a thread of its own, once; the call that follows joins it through the pipeline. Nothing else changes: the
    /// activation verifies the plugin's files as it always does, a failure is reported the way a failed activation always is
    /// (the plugin unloaded, the call failed with the reason), and the permission decision, the argument validation and
    /// the scrubbing still happen in the call. A name no plugin declares, or an active plugin's, starts nothing.
    /// </summary>
    /// <param name="runtime">The runtime whose plugins are loaded.</param>
    /// <param name="toolName">The tool about to be called.</param>
    /// <returns>Whether an activation was started.</returns>
    internal static bool StartCalledPluginActivation(PluginRuntime runtime, string toolName) =>
        !string.IsNullOrWhiteSpace(toolName)
        && runtime.Registry.Find(CapabilityKind.Tool, toolName) is { } tool
        && runtime.Host.ActivateInBackground(tool.PluginId);
}

/// <summary>
/// What <see cref="HeadlessToolOptions.OpenAsync"/> composed: the project root (opened by
/// <see cref="ProjectRootFactory.OpenAsync"/>, without a session service) and the tool pipeline over its runtime;
/// disposing it ends the pipeline and closes the root (which unloads the plugins).
/// </summary>
internal sealed class HeadlessTools(ProjectRoot project, ToolPipeline pipeline) : IAsyncDisposable
{
    public ConfigurationSnapshot Configuration => project.Configuration;

    /// <summary>The project root the tools work in.</summary>
    public string Root => project.Directory;

    public PluginRuntime Runtime => project.Runtime;

    public ToolPipeline Pipeline { get; } = pipeline;

    /// <summary>The pipeline's permission gate.</summary>
    public IToolPermissionGate? Gate { get; init; }

    /// <summary>The MCP servers whose tools the pipeline offers, or <see langword="null"/> when none were started.</summary>
    public McpSessionServers? Mcp { get; init; }

    /// <summary>How each plugin loaded (or why not).</summary>
    public IReadOnlyList<PluginLoadResult> Loads => project.Loads;

    /// <summary>The operating-system sandbox the pipeline's sandboxed tools (the shell) run in.</summary>
    public SandboxPolicy? Sandbox { get; init; }

    public async ValueTask DisposeAsync()
    {
        Pipeline.Dispose();
        Sandbox?.Dispose();
        if (Mcp is not null)
        {
            await Mcp.DisposeAsync().ConfigureAwait(false);
        }

        await project.DisposeAsync().ConfigureAwait(false);
    }
}
