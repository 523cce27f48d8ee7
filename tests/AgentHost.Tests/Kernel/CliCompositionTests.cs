using AgentHost.Agent.Composition;
using AgentHost.Agent.Service;
using AgentHost.Cli;
using AgentHost.Cli.Interaction;
using AgentHost.Hosting;
using AgentHost.Hosting.Configuration;
using AgentHost.Hosting.Logging;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Security;
using AgentHost.Permissions;
using AgentHost.Sessions;
using AgentHost.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AgentHost.Tests.Kernel;

/// <summary>The CLI composes through <see cref="AgentHostServiceCollectionExtensions.AddAgentHost"/> like every front end.</summary>
public sealed class CliCompositionTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly ConsoleInteraction _console = new(false, TextWriter.Null, TextWriter.Null, TextReader.Null);

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task AddAgentHost_WithTheCliOptions_ResolvesEveryPartACommandUses_OncePerProvider()
    {
        await using var services = BuildLikeTheCli([]);

        Type[] parts = [typeof(HostEnvironment), typeof(AgentPaths), typeof(ConfigurationSnapshot), typeof(PluginStore), typeof(ILoggerFactory),
            typeof(SecretScrubber), typeof(SessionStore), typeof(PluginRuntime), typeof(PermissionBroker), typeof(AgentSessionService)];
        foreach (var part in parts)
        {
            Assert.Same(services.GetRequiredService(part), services.GetRequiredService(part));
        }

        Assert.IsType<FileLoggerFactory>(services.GetRequiredService<ILoggerFactory>());
        Assert.StartsWith(_temp.Path, services.GetRequiredService<AgentPaths>().SessionsDatabase, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddAgentHost_WithTheCliOptions_HonoursOverridesAndLogLevelFromTheCommandLine()
    {
        _temp.WriteFile("agent-home/config.yaml", "log_level: warning\n");

        await using var services = BuildLikeTheCli(["stats", "--set", "model=fake/flagged", "--log-level", "trace"]);

        Assert.Equal("fake/flagged", services.GetRequiredService<ConfigurationSnapshot>().Model);
        var loggers = Assert.IsType<FileLoggerFactory>(services.GetRequiredService<ILoggerFactory>());
        Assert.Equal(LogLevel.Trace, loggers.Provider.Options.MinimumLevel);
        Assert.Equal(services.GetRequiredService<AgentPaths>().LogsDirectory, loggers.Provider.Options.Directory);
    }

    [Fact]
    public async Task AddAgentHost_WithTheCliOptions_LoadsPluginsNonCollectible_WithTheConfiguredTimeout()
    {
        _temp.WriteFile("agent-home/config.yaml", "log_level: warning\n");

        await using var services = BuildLikeTheCli([]);
        var runtime = services.GetRequiredService<PluginRuntime>();
        var configuration = services.GetRequiredService<ConfigurationSnapshot>();

        Assert.False(runtime.Host.Unloadable);
        Assert.Equal(PluginHost.LoadTimeoutFrom(configuration), runtime.Host.LoadTimeout);
        Assert.Same(services.GetRequiredService<ILoggerFactory>(), runtime.LoggerFactory);
        Assert.Equal(LogLevel.Warning, Assert.IsType<FileLoggerFactory>(runtime.LoggerFactory).Provider.Options.MinimumLevel);
    }

    [Fact]
    public async Task CliContext_HandsOutTheProvidersParts_AndARuntimeOfItsOwnForAnotherConfiguration()
    {
        using var context = new CliContext(_console, Environment(), new GlobalOptions());
        var parse = CommandLineFactory.Create(context).Parse(["stats", "--set", "model=fake/ctx"]);

        var configuration = context.Configuration(parse);
        var store = await context.OpenSessionStoreAsync(CancellationToken.None);

        Assert.Equal("fake/ctx", configuration.Model);
        Assert.Same(context.Services.GetRequiredService<ConfigurationSnapshot>(), configuration);
        Assert.Same(configuration, context.Configuration(parse));
        Assert.Same(store, await context.OpenSessionStoreAsync(CancellationToken.None));
        Assert.Same(context.Services.GetRequiredService<PluginStore>(), context.PluginStore);
        Assert.Same(context.Services.GetRequiredService<ILoggerFactory>(), context.LoggerFactory(parse));
        await using var other = context.CreatePluginRuntime(configuration);
        Assert.NotSame(context.Services.GetRequiredService<PluginRuntime>(), other);
        Assert.False(other.Host.Unloadable);
        Assert.Same(context.LoggerFactory(parse), other.LoggerFactory);
    }

    private HostEnvironment Environment() => TestEnvironment.Create(_temp.Path, _temp.Path);

    private ServiceProvider BuildLikeTheCli(string[] args)
    {
        var environment = Environment();
        var globalOptions = new GlobalOptions();
        using var context = new CliContext(_console, environment, globalOptions);
        var parse = args.Length == 0 ? null : CommandLineFactory.Create(context).Parse(args);
        return new ServiceCollection()
            .AddAgentHost(o => CliContext.Configure(o, environment, _console, globalOptions, parse))
            .BuildServiceProvider();
    }
}
