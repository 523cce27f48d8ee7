using System.CommandLine;
using AgentHost.Agent.Composition;
using AgentHost.Agent.Models;
using AgentHost.Agent.Runs;
using AgentHost.Agent.Service;
using AgentHost.Cli.Interaction;
using AgentHost.Cli.Rendering;
using AgentHost.Cli.Terminal;
using AgentHost.Hosting;
using AgentHost.Hosting.Configuration;
using AgentHost.Hosting.Logging;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Installed;
using AgentHost.Permissions;
using AgentHost.Permissions.Gate;
using AgentHost.Sessions;

namespace AgentHost.Cli;

/// <summary>
/// What every CLI front end of the session service composes before its first turn, in one place: the configuration of
/// the chosen root, the session store, what a resumed session remembers (its workspace, model and plugins), the plugin
/// runtime with the chosen plugins and the model's provider loaded, the permission broker with the terminal's prompter,
/// and the <see cref="AgentSessionService"/>, composed for the root by the composition root
/// (<see cref="ProjectRootFactory.OpenAsync"/>). <c>agent run</c> and the chat differ only in how they render events
/// and what they do with the session.
/// </summary>
internal sealed class SessionFrontEnd : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _owned = [];
    private readonly SessionChoiceOptions _options;
    private readonly ParseResult _parseResult;
    private FrontEndExtras? _extras;

    private SessionFrontEnd(SessionChoiceOptions options, ParseResult parseResult, ConfigurationSnapshot configuration, RememberedRun? remembered, string workspaceRoot)
    {
        _options = options;
        _parseResult = parseResult;
        Configuration = configuration;
        Remembered = remembered;
        WorkspaceRoot = workspaceRoot;
    }

    public ConfigurationSnapshot Configuration { get; }

    /// <summary>The session <c>--session</c> or <c>--continue</c> named, or null for a new one.</summary>
    public RememberedRun? Remembered { get; }

    /// <summary>The name of the new session (<c>--new-session</c>), checked and free when the store opened; null for none.</summary>
    public string? NewName { get; private init; }

    /// <summary>The folder the session works in: <c>--root</c>, else a resumed session's workspace, else the project root.</summary>
    public string WorkspaceRoot { get; }

    public ISessionStore Store { get; private set; } = null!;

    public PluginRuntime Runtime { get; private set; } = null!;

    public PluginChoice Plugins { get; private set; } = null!;

    /// <summary>How each plugin of the run loaded (or why not).</summary>
    public IReadOnlyList<PluginLoadResult> PluginLoads { get; private set; } = [];

    public PermissionBroker Broker { get; private set; } = null!;

    public AgentSessionService Service { get; private set; } = null!;

    /// <summary>The terminal's question prompter (<c>ask_user</c>, workflow <c>wait</c> nodes), or null without a terminal.</summary>
    public ConsoleQuestionPrompter? QuestionPrompter { get; private set; }

    /// <summary>The terminal's permission prompter, or null without a terminal.</summary>
    public ConsolePermissionPrompter? Prompter { get; private set; }

    /// <summary>
    /// Validates the options, resolves the configuration, opens the store (while the plugins load), finds the resumed
    /// session, and composes the runtime, broker, prompter and service. <paramref name="subscribe"/> attaches the front
    /// end's renderer to the runtime's events before any plugin loads; what it returns is disposed with the front end.
    /// Permission questions are asked on <paramref name="prompterConsole"/> (the chat's, drawn above its editor), by
    /// default the CLI's console.
    /// </summary>
    public static async Task<SessionFrontEnd> OpenAsync(
        CliContext context,
        SessionChoiceOptions options,
        ParseResult parseResult,
        Func<PluginRuntime, IDisposable> subscribe,
        CancellationToken cancellationToken,
        IConsoleInteraction? prompterConsole = null,
        FrontEndExtras? extras = null)
    {
        AllowOption.Validate(parseResult, options.Allow);
        var root = parseResult.GetValue(options.Root) is { } r ? Path.GetFullPath(r, context.Environment.CurrentDirectory) : extras?.Root;
        if (root is not null && !Directory.Exists(root))
        {
            throw new AgentHostException(ErrorKind.Usage, $"--root {root}: no such directory.");
        }

        var sessionId = parseResult.GetValue(options.Session);
        var resuming = sessionId is not null || parseResult.GetValue(options.Continue);
        if (sessionId is not null && parseResult.GetValue(options.Continue))
        {
            throw new AgentHostException(ErrorKind.Usage, "use either --session ID or --continue, not both.");
        }

        var newName = parseResult.GetValue(options.NewSession) is { } named ? SessionNames.Check(named) : null;
        if (newName is not null && (resuming || extras is not null))
        {
            throw new AgentHostException(
                ErrorKind.Usage,
                extras is not null
                    ? "--new-session names a session of 'agent run' or the chat; a workflow's sessions are its own."
                    : $"--new-session starts a new session; to continue one use --session or --continue alone (e.g. --session {newName}).");
        }

        ConfigurationSnapshot configuration;
        using (StartupActivities.Start("configuration"))
        {
            configuration = Checked(root is null ? context.Configuration(parseResult) : context.ProjectRoots(parseResult).ResolveConfiguration(root));
        }

        // The session store opens while plugins load (SQLite's open is synchronous, hence the worker thread), and gets
        // its first write (the new session's row, on the way to the first model request) ready.
        var opening = Task.Run(
            async () =>
            {
                var store = await context.OpenSessionStoreAsync(cancellationToken).ConfigureAwait(false);
                await store.PrepareWritesAsync(cancellationToken).ConfigureAwait(false);
                return store;
            },
            cancellationToken);
        StartupActivities.Mark("frontend.store-started");
        RememberedRun? remembered = null;
        try
        {
            if (resuming)
            {
                // A resumed session works in its workspace (unless --root says otherwise) and loads its plugins, so
                // what it remembers is read before the plugins load.
                remembered = await RememberedRun.FindAsync(await opening.ConfigureAwait(false), sessionId, root ?? configuration.ProjectRoot, cancellationToken).ConfigureAwait(false);
                if (root is null && Directory.Exists(remembered.Workspace) && !SamePath(remembered.Workspace, configuration.ProjectRoot))
                {
                    root = remembered.Workspace;
                    configuration = Checked(context.ProjectRoots(parseResult).ResolveConfiguration(root));
                }
            }
        }
        catch
        {
            await ((Task)opening).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            throw;
        }

        var frontEnd = new SessionFrontEnd(options, parseResult, configuration, remembered, root ?? configuration.ProjectRoot) { _extras = extras, NewName = newName };
        try
        {
            await frontEnd.ComposeAsync(context, prompterConsole ?? context.Console, opening, subscribe, cancellationToken).ConfigureAwait(false);
            return frontEnd;
        }
        catch
        {
            await ((Task)opening).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await frontEnd.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The options a session of this front end opens with; the caller adds its own (steps, images, …).</summary>
    public SessionOptions SessionOptions(bool interactive) => new(WorkspaceRoot)
    {
        Model = _parseResult.GetValue(_options.Model),
        Plugins = Plugins.Recorded,
        PermissionMode = PermissionModeOption.Parse(_parseResult, _options.PermissionMode),
        Sandbox = SandboxModeOption.Parse(_parseResult, _options.Sandbox),
        Interactive = interactive,
        Name = NewName,
    };

    /// <summary>
    /// Starts making the client of the model a session opened with <paramref name="options"/> will use, with its
    /// provider's warm-up, while the session opens (<see cref="AgentSessionService.PrepareModel"/>): the options' model,
    /// else the model the likely kind of turn is routed to (<c>multi_model.use_for</c>), else the remembered session's, else the configured one unless a role is preferred. Only a head start: the
    /// session's own choice decides, and takes the prepared client only when it is the same model.
    /// </summary>
    /// <param name="options">The options the session will open with.</param>
    /// <param name="cancellationToken">Cancellation of the warm-up.</param>
    public void PrepareModel(SessionOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var routed = ModelRouting.Find(Configuration, ModelRouting.OfTurn(options.Task, options.PermissionMode == PermissionMode.Plan))?.Model;
        Service.PrepareModel(options.Model ?? routed ?? Remembered?.Model ?? (options.Prefer is null ? Configuration.Model : null), cancellationToken);
    }

    /// <summary>Opens the remembered session, or creates a new one.</summary>
    public Task<AgentSession> OpenSessionAsync(SessionOptions options, CancellationToken cancellationToken) =>
        Remembered is not null
            ? Service.OpenAsync(Remembered.SessionId, options, cancellationToken)
            : Service.CreateAsync(options, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        // Reverse order of composition: the service, the prompter, the renderer's subscription, then the runtime.
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            await _owned[i].DisposeAsync().ConfigureAwait(false);
        }

        _owned.Clear();
    }

    private async Task ComposeAsync(CliContext context, IConsoleInteraction console, Task<ISessionStore> opening, Func<PluginRuntime, IDisposable> subscribe, CancellationToken cancellationToken)
    {
        // First owned, last disposed: the export flushes the turn's spans and metrics after everything else closed.
        if (TelemetryStart.Start(Configuration, context.Environment) is { } telemetry)
        {
            Own(telemetry);
        }

        // The one recipe of a project root: the runtime with the renderer attached, the broker with the terminal's
        // prompter (it answers from before any plugin loads), the plugins with the provider of the named, remembered or
        // configured model (it is on the way to the first request), then the service around the store opened here.
        var root = Own(await context.ProjectRoots(_parseResult).OpenAsync(
            new ProjectRootRequest(WorkspaceRoot)
            {
                Configuration = Configuration,
                WorkingDirectory = context.Environment.CurrentDirectory,
                Attach = opening =>
                {
                    StartupActivities.Mark("frontend.runtime");
                    return subscribe(opening.Runtime);
                },
                AttachBroker = opening => AttachPrompter(context, console, opening),
                Plugins = opening => ChoosePlugins(context, opening.Runtime),
                Models = _ => new[] { _parseResult.GetValue(_options.Model) ?? Remembered?.Model ?? Configuration.Model }.Concat(_extras?.Models ?? []),
                BeforeService = async token =>
                {
                    using (StartupActivities.Start("store.wait"))
                    {
                        Store = await opening.ConfigureAwait(false);
                    }

                    if (NewName is not null && await Store.FindSessionByNameAsync(NewName, cancellationToken: token).ConfigureAwait(false) is { } taken)
                    {
                        // Before the first model request; the store refuses it again when the session is created (a race with another process).
                        throw SessionNames.Taken(NewName, taken);
                    }
                },
            },
            cancellationToken).ConfigureAwait(false));
        Runtime = root.Runtime;
        Broker = root.Broker!;
        PluginLoads = root.Loads;
        Service = root.Service;
        if (context.Console.IsInteractive)
        {
            // Disposed before the service (reverse order): a question still waiting then ends as "nobody present".
            QuestionPrompter = Own(new ConsoleQuestionPrompter(console, Service.Questions, Runtime.Events));
        }

        // Disposed before the service: the pruning under way ends before the store closes. (Checked with the
        // configuration above; the logger is made only when there is something to prune.)
        var retention = SessionRetention.FromConfiguration(Configuration);
        if (retention.IsEnabled)
        {
            var service = Service;
            var remembered = Remembered?.SessionId;
            Own(BackgroundRetention.AfterFirstStep(
                retention,
                Store,
                service.Time,
                Runtime.Events,
                () => [.. service.OpenSessions.Select(s => s.Id).OfType<string>(), .. remembered is null ? Array.Empty<string>() : [remembered]],
                context.LoggerFactory(_parseResult).CreateLogger("AgentHost.Sessions.Retention"))!);
        }
    }

    private ConsolePermissionPrompter? AttachPrompter(CliContext context, IConsoleInteraction console, ProjectRoot opening)
    {
        if (!context.Console.IsInteractive)
        {
            return null;
        }

        Prompter = new ConsolePermissionPrompter(console, opening.Broker!, opening.Runtime.Events, Configuration.Project.ConfigFileOrDefault, Configuration.GlobalConfigFile)
        {
            Colour = !TerminalStyle.IsPlain(context.Environment.Variables),
        };
        return Prompter;
    }

    private ProjectRootPlugins ChoosePlugins(CliContext context, PluginRuntime runtime)
    {
        Plugins = PluginChoice.Choose(context, _options.Plugins, _parseResult, Configuration, runtime, Remembered);
        if (_extras is { Plugins.Count: > 0 } also)
        {
            var added = also.Plugins.Select(p => PluginChoice.NameOf(p, context.Environment.CurrentDirectory)).ToList();
            Plugins = Plugins with { Requested = [.. Plugins.Requested.Concat(added).Distinct(StringComparer.Ordinal)], Recorded = [.. Plugins.Recorded.Concat(added).Distinct(StringComparer.Ordinal)] };
        }

        StartupActivities.Mark("frontend.plugins-chosen");
        return new ProjectRootPlugins(Plugins.Requested, Plugins.Defaults);
    }

    private T Own<T>(T item)
        where T : class
    {
        _owned.Add(item switch
        {
            IAsyncDisposable asyncDisposable => asyncDisposable,
            IDisposable disposable => new SyncDisposal(disposable),
            _ => throw new ArgumentException($"{typeof(T)} is not disposable.", nameof(item)),
        });
        return item;
    }

    private static bool SamePath(string a, string b) =>
        string.Equals(Path.GetFullPath(a), Path.GetFullPath(b), OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);

    internal static ConfigurationSnapshot Checked(ConfigurationSnapshot configuration) => configuration.ThrowIfInvalid();

    private sealed class SyncDisposal(IDisposable disposable) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            disposable.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}

/// <summary>
/// What a front end adds to the options' choices (a workflow run): the root when <c>--root</c> is not given, the
/// plugins the workflow names, and the models of its nodes (their providers load with the plugins).
/// </summary>
/// <param name="Root">The root to work in unless <c>--root</c> says otherwise.</param>
/// <param name="Plugins">More plugins to load and record.</param>
/// <param name="Models">More <c>provider/model</c> references whose provider plugins load.</param>
internal sealed record FrontEndExtras(string? Root, IReadOnlyList<string> Plugins, IReadOnlyList<string> Models);
