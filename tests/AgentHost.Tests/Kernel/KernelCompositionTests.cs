using AgentHost.Agent.Composition;
using AgentHost.Agent.Service;
using AgentHost.Cli.Startup;
using AgentHost.Cli;
using AgentHost.Cli.Interaction;
using AgentHost.Hosting;
using AgentHost.Hosting.Capabilities;
using AgentHost.Hosting.Configuration;
using AgentHost.Hosting.Events;
using AgentHost.Hosting.Logging;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Installed;
using AgentHost.Hosting.Plugins.Loading;
using AgentHost.Permissions;
using AgentHost.Permissions.Gate;
using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Events;
using AgentHost.Sessions;
using AgentHost.Sessions.Store;
using AgentHost.Tests.Cli;
using AgentHost.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AgentHost.Tests.Kernel;

public sealed class KernelCompositionTests
{
    [Fact]
    public async Task GenericHost_LoadsEnabledPluginsOnStart_WithTheirSettings_AndUnloadsThemOnStop()
    {
        using var temp = new TempDirectory();
        var env = TestEnvironment.Create(temp.Path, temp.Path);
        await PluginListCommandTests.InstallAsync(env, "Fixture.Echo");
        temp.WriteFile("agent-home/config.yaml", """
            plugins:
              settings:
                fixture-echo:
                  prefix: configured
            """);
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddAgentHost(o => o.Environment = env);
        using var host = builder.Build();
        var registry = host.Services.GetRequiredService<CapabilityRegistry>();
        var unloaded = new TaskCompletionSource<PluginUnloadedEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = host.Services.GetRequiredService<IEventBus>().Subscribe<PluginUnloadedEvent>((e, _) =>
        {
            unloaded.TrySetResult(e);
            return ValueTask.CompletedTask;
        });

        await host.StartAsync();
        var echo = (ToolCapability)registry.Find(CapabilityKind.Tool, "echo")!.Capability;
        var answer = await echo.Function.InvokeAsync(new() { ["text"] = "hi" });
        await host.StopAsync();

        Assert.Equal("configured: hi", answer?.ToString());
        Assert.False(host.Services.GetRequiredService<PluginHost>().Unloadable); // non-collectible unless asked for
        Assert.Empty(registry.All());
        await host.Services.GetRequiredService<EventBus>().DrainAsync();
        Assert.Equal("fixture-echo", (await unloaded.Task).PluginId);
    }

    [Fact]
    public async Task CliOptions_YieldOneConfigurationPathsStoreAndLoggerFactory_AcrossResolutions()
    {
        using var temp = new TempDirectory();
        var env = TestEnvironment.Create(temp.Path, temp.Path);
        await using var services = new ServiceCollection()
            .AddAgentHost(o => CliContext.Configure(o, env, Quiet()))
            .BuildServiceProvider();

        var configuration = services.GetRequiredService<ConfigurationSnapshot>();
        var store = services.GetRequiredService<ISessionStore>();

        Assert.Same(configuration, services.GetRequiredService<ConfigurationSnapshot>());
        Assert.Same(services.GetRequiredService<AgentPaths>(), services.GetRequiredService<AgentPaths>());
        Assert.Same(store, services.GetRequiredService<ISessionStore>());
        Assert.Equal(services.GetRequiredService<AgentPaths>().SessionsDatabase, Assert.IsType<SessionStore>(store).DatabasePath);
        var loggers = Assert.IsType<FileLoggerFactory>(services.GetRequiredService<ILoggerFactory>());
        Assert.Same(loggers, services.GetRequiredService<ILoggerFactory>());
        Assert.Equal(services.GetRequiredService<AgentPaths>().LogsDirectory, loggers.Provider.Options.Directory);
        Assert.False(services.GetRequiredService<PluginHost>().Unloadable);
    }

    [Fact]
    public async Task CliContext_ResolvesItsPartsFromOneProvider_OncePerProcess()
    {
        using var temp = new TempDirectory();
        await using var context = new CliContext(Quiet(), TestEnvironment.Create(temp.Path, temp.Path), new GlobalOptions());
        var parse = CommandLineFactory.Create(context).Parse(["config", "show"]);

        var configuration = context.Configuration(parse);
        var store = await context.OpenSessionStoreAsync(CancellationToken.None);

        Assert.Same(configuration, context.Configuration(parse));
        Assert.Same(configuration, context.Services.GetRequiredService<ConfigurationSnapshot>());
        Assert.Same(store, await context.OpenSessionStoreAsync(CancellationToken.None));
        Assert.Same(store, context.Services.GetRequiredService<ISessionStore>());
        Assert.Same(context.Paths, context.Services.GetRequiredService<AgentPaths>());
        Assert.Same(context.PluginStore, context.Services.GetRequiredService<PluginStore>());
        Assert.Same(context.LoggerFactory(parse), context.Services.GetRequiredService<ILoggerFactory>());
    }

    [Fact]
    public async Task CliContext_HonoursSetAndLogLevel_EvenWhenItsServicesWereBuiltBeforeItSawTheCommandLine()
    {
        using var temp = new TempDirectory();
        await using var context = new CliContext(Quiet(), TestEnvironment.Create(temp.Path, temp.Path), new GlobalOptions());
        var parse = CommandLineFactory.Create(context).Parse(["--set", "plugins.load_timeout=3", "--log-level", "debug", "config", "show"]);
        _ = context.Paths; // builds the provider before the command line is known

        var configuration = context.Configuration(parse);
        var loggers = Assert.IsType<FileLoggerFactory>(context.LoggerFactory(parse));

        Assert.Empty(parse.Errors);
        Assert.Equal("3", configuration.Get("plugins.load_timeout"));
        Assert.Equal(LogLevel.Debug, loggers.Provider.Options.MinimumLevel);
        await using var runtime = context.CreatePluginRuntime(configuration);
        Assert.Equal(TimeSpan.FromSeconds(3), runtime.Host.LoadTimeout);
    }

    [Fact]
    public async Task CliContext_RootContainer_HoldsOnlyProcessWideParts()
    {
        using var temp = new TempDirectory();
        await using var context = new CliContext(Quiet(), TestEnvironment.Create(temp.Path, temp.Path), new GlobalOptions());
        var parse = CommandLineFactory.Create(context).Parse(["config", "show"]);

        // The process-wide parts are there …
        Assert.NotNull(context.Configuration(parse));
        Assert.NotNull(context.Services.GetService<ProjectRootFactory>());
        Assert.NotNull(context.Services.GetService<PluginStore>());
        // … and a project root's parts are not: each root gets them from ProjectRootFactory.OpenAsync.
        Assert.Null(context.Services.GetService<EventBus>());
        Assert.Null(context.Services.GetService<IEventBus>());
        Assert.Null(context.Services.GetService<CapabilityRegistry>());
        Assert.Null(context.Services.GetService<PluginHost>());
        Assert.Null(context.Services.GetService<PluginRuntime>());
        Assert.Null(context.Services.GetService<PermissionBroker>());
        Assert.Null(context.Services.GetService<AgentSessionService>());
    }

    [Fact]
    public async Task Options_OverridesAndLogLevel_AreHonoured()
    {
        using var temp = new TempDirectory();
        var env = TestEnvironment.Create(temp.Path, temp.Path);
        await using var services = new ServiceCollection()
            .AddAgentHost(o =>
            {
                o.Environment = env;
                o.LogToFiles = true;
                o.LogLevel = LogLevel.Warning;
                o.ConfigOverrides.Add("plugins.load_timeout=0");
                o.UnloadablePlugins = true;
            })
            .BuildServiceProvider();

        Assert.Equal("0", services.GetRequiredService<ConfigurationSnapshot>().Get("plugins.load_timeout"));
        Assert.Equal(Timeout.InfiniteTimeSpan, services.GetRequiredService<PluginHost>().LoadTimeout);
        Assert.Equal(LogLevel.Warning, Assert.IsType<FileLoggerFactory>(services.GetRequiredService<ILoggerFactory>()).Provider.Options.MinimumLevel);
        Assert.True(services.GetRequiredService<PluginHost>().Unloadable);
    }

    [Fact]
    public async Task ProjectRootFactory_ComposesAnotherRootThroughAddAgentHost_OverTheSharedStoreClockAndLoggers()
    {
        using var temp = new TempDirectory();
        var env = TestEnvironment.Create(temp.Path, temp.Path);
        await PluginListCommandTests.InstallAsync(env, "Fixture.Echo");
        var other = Path.Combine(temp.Path, "other");
        Directory.CreateDirectory(Path.Combine(other, ".git"));
        await using var services = new ServiceCollection()
            .AddAgentHost(o =>
            {
                CliContext.Configure(o, env, Quiet());
                o.ConfigOverrides.Add("plugins.load_timeout=7");
            })
            .BuildServiceProvider();
        var factory = services.GetRequiredService<ProjectRootFactory>();

        var configuration = factory.ResolveConfiguration(other);
        await using var runtime = factory.CreatePluginRuntime(configuration);
        var loaded = await runtime.LoadInstalledAsync(["fixture-echo"]);
        var broker = new PermissionBroker(runtime.Events);
        var host = factory.CreateHost(configuration, runtime, broker);
        var session = await host.Service.CreateAsync(new SessionOptions(other));
        var made = factory.CreateHost(configuration, runtime);

        Assert.Equal(other, configuration.ProjectRoot);
        Assert.NotSame(services.GetRequiredService<ConfigurationSnapshot>(), configuration);
        Assert.Same(configuration, host.Services.GetRequiredService<ConfigurationSnapshot>());
        Assert.Equal("7", host.Services.GetRequiredService<ConfigurationSnapshot>().Get("plugins.load_timeout"));
        Assert.Equal(TimeSpan.FromSeconds(7), runtime.Host.LoadTimeout);
        Assert.False(runtime.Host.Unloadable);
        Assert.Same(services.GetRequiredService<ILoggerFactory>(), runtime.LoggerFactory);
        Assert.Same(services.GetRequiredService<ILoggerFactory>(), host.Services.GetRequiredService<ILoggerFactory>());
        Assert.Same(services.GetRequiredService<TimeProvider>(), host.Services.GetRequiredService<TimeProvider>());
        Assert.Null(Assert.Single(loaded).Error);
        Assert.NotNull(runtime.Registry.Find(CapabilityKind.Tool, "echo"));
        Assert.Same(broker, host.Service.Permissions);
        Assert.Same(runtime, host.Service.Runtime);
        Assert.Same(services.GetRequiredService<ISessionStore>(), host.Service.Store);
        Assert.NotSame(services.GetRequiredService<AgentSessionService>(), host.Service);
        Assert.Same(made.Broker, made.Service.Permissions);
        Assert.NotSame(broker, made.Broker);
        Assert.Same(session, Assert.Single(host.Service.OpenSessions));

        // Disposing a root's composition closes its sessions; the shared store and the caller's runtime stay usable.
        await host.DisposeAsync();
        await made.DisposeAsync();
        Assert.Empty(host.Service.OpenSessions);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => session.SetModelAsync("openai/gpt-4o"));
        Assert.Empty(await services.GetRequiredService<ISessionStore>().ListSessionsAsync());
        Assert.NotNull(runtime.Registry.Find(CapabilityKind.Tool, "echo"));
    }

    [Fact]
    public async Task AStoreRegisteredFirst_IsTheOneEverySessionServiceUses_ForThisRootAndAnother()
    {
        using var temp = new TempDirectory();
        var env = TestEnvironment.Create(temp.Path, temp.Path);
        using var elsewhere = await SessionStore.OpenAsync(temp.Combine("elsewhere", "store.db"), Hosting.Security.SecretScrubber.PatternsOnly);
        await using var services = new ServiceCollection()
            .AddSingleton<ISessionStore>(elsewhere)
            .AddAgentHost(o => CliContext.Configure(o, env, Quiet()))
            .BuildServiceProvider();
        var factory = services.GetRequiredService<ProjectRootFactory>();
        await using var runtime = factory.CreatePluginRuntime(services.GetRequiredService<ConfigurationSnapshot>());
        await using var host = factory.CreateHost(services.GetRequiredService<ConfigurationSnapshot>(), runtime);

        Assert.Same(elsewhere, services.GetRequiredService<AgentSessionService>().Store);
        Assert.Same(elsewhere, host.Service.Store);
        Assert.False(File.Exists(services.GetRequiredService<AgentPaths>().SessionsDatabase));
    }

    private static ConsoleInteraction Quiet() => new(false, TextWriter.Null, TextWriter.Null, TextReader.Null);
}
