using System.CommandLine;
using AgentHost.Agent.Engine;
using AgentHost.Agent.Runs;
using AgentHost.Hosting;
using AgentHost.Hosting.Capabilities;
using AgentHost.Hosting.Configuration;
using AgentHost.Hosting.Logging;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Security;
using AgentHost.Permissions;
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
    public async Task<HeadlessTools> OpenAsync(
        CliContext context, ParseResult parseResult, bool interactive, CancellationToken cancellationToken, Func<RulePermissionGate, string, IToolPermissionGate>? gate = null, Func<string, IReadOnlyList<RegisteredCapability>>? kernelTools = null)
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

        var runtime = context.CreatePluginRuntime(configuration);
        try
        {
            var loads = await Plugins.LoadAsync(runtime, parseResult, configuration, context.Environment.CurrentDirectory, cancellationToken).ConfigureAwait(false);
            StartupActivities.Mark("tool.plugins");
            var rules = AgentRunner.CreatePermissionGate(configuration, root, context.Environment, PermissionModeOption.Parse(parseResult, PermissionMode), interactive, runtime.Events);
            var decider = gate is null ? rules : gate(rules, root);
            var pipeline = AgentRunner.CreatePipeline(runtime, decider, context.Services.GetRequiredService<SecretScrubber>(), TimeProvider.System, kernelTools: kernelTools?.Invoke(root));
            return new HeadlessTools(configuration, root, runtime, pipeline, loads) { Gate = decider };
        }
        catch
        {
            await runtime.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}

/// <summary>What <see cref="HeadlessToolOptions.OpenAsync"/> composed; disposing it ends the pipeline and unloads the plugins.</summary>
internal sealed class HeadlessTools(ConfigurationSnapshot configuration, string root, PluginRuntime runtime, ToolPipeline pipeline, IReadOnlyList<PluginLoadResult> loads) : IAsyncDisposable
{
    public ConfigurationSnapshot Configuration { get; } = configuration;

    /// <summary>The project root the tools work in.</summary>
    public string Root { get; } = root;

    public PluginRuntime Runtime { get; } = runtime;

    public ToolPipeline Pipeline { get; } = pipeline;

    /// <summary>The pipeline's permission gate.</summary>
    public IToolPermissionGate? Gate { get; init; }

    /// <summary>How each plugin loaded (or why not).</summary>
    public IReadOnlyList<PluginLoadResult> Loads { get; } = loads;

    public async ValueTask DisposeAsync()
    {
        Pipeline.Dispose();
        await Runtime.DisposeAsync().ConfigureAwait(false);
    }
}
