using AgentHost.Hosting.Events;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Loading;
using AgentHost.Sdk;
using AgentHost.Sdk.Capabilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentHost.Tests.Sdk;

/// <summary>The kernel's real plugin builder for a plugin registered in-process, and its service provider built as the host builds it.</summary>
internal sealed class SdkBuilder : IAsyncDisposable
{
    private readonly EventBus _bus = new(NullLogger<EventBus>.Instance);

    public SdkBuilder(IReadOnlyDictionary<string, string>? settings = null)
    {
        Context = new PluginContext("test-plugin", "1.0.0", Path.GetTempPath(), NullLoggerFactory.Instance, _bus, settings ?? new Dictionary<string, string>(), CancellationToken.None);
        Builder = new PluginBuilder(Context);
    }

    public PluginContext Context { get; }

    public PluginBuilder Builder { get; }

    public IReadOnlyList<ToolCapability> Tools => Builder.Capabilities.OfType<ToolCapability>().ToList();

    public ToolCapability Tool(string name) => Tools.Single(t => t.Name == name);

    /// <summary>Builds the plugin's services as <c>PluginHost</c> does (logger factory, <c>ILogger&lt;T&gt;</c>, context; validated).</summary>
    public ServiceProvider BuildServices()
    {
        Builder.Services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        Builder.Services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        Builder.Services.AddSingleton(Context);
        return Builder.Services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
    }

    public ValueTask DisposeAsync() => _bus.DisposeAsync();
}
