using AgentHost.Agent.Composition;
using AgentHost.Agent.Service;
using AgentHost.Hosting;
using AgentHost.Hosting.Capabilities;
using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Events;
using AgentHost.Sdk.Tools;
using AgentHost.Sessions;
using AgentHost.Tests.Support;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace AgentHost.Tests.Service;

/// <summary>
/// A process's composition (<c>AddAgentHost</c>) over a temp AGENT_HOME and workspace, with real SQLite and real files:
/// a <c>fake</c> chat provider whose models are <see cref="FakeChatModel"/>s by id, and a <c>write_note</c> tool
/// (a write: it asks in ask mode) that writes notes/&lt;name&gt;.txt in the workspace.
/// </summary>
public sealed class ServiceFixture : IAsyncDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly Dictionary<string, FakeChatModel> _models = new(StringComparer.Ordinal);
    private readonly ServiceProvider _services;

    /// <param name="userConfig">The user's config.yaml, written before the composition reads it; none when <see langword="null"/>.</param>
    public ServiceFixture(string? userConfig = null)
    {
        Directory.CreateDirectory(Root);
        Environment = TestEnvironment.Create(_temp.Path, Root);
        if (userConfig is not null)
        {
            var file = AgentPaths.Resolve(Environment).GlobalConfigFile;
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            File.WriteAllText(file, userConfig);
        }

        _services = new ServiceCollection()
            .AddAgentHost(o =>
            {
                o.Environment = Environment;
                o.LoadPluginsOnStart = false;
            })
            .BuildServiceProvider();
        _services.GetRequiredService<CapabilityRegistry>().AddRange("test", "1.0.0",
        [
            new ChatProviderCapability("fake", (options, _) => Model(options.ModelId)),
            new ToolCapability(AIFunctionFactory.Create(WriteNote, "write_note", "Writes a note."), new ToolMetadata(ToolEffect.Write)),
        ]);
    }

    public string Root => _temp.Combine("ws");

    public HostEnvironment Environment { get; }

    public AgentSessionService Service => _services.GetRequiredService<AgentSessionService>();

    public ISessionStore Store => _services.GetRequiredService<ISessionStore>();

    public IEventBus Events => _services.GetRequiredService<IEventBus>();

    /// <summary>The composition's capabilities (a test adds its own tools here).</summary>
    public CapabilityRegistry Registry => _services.GetRequiredService<CapabilityRegistry>();

    public SessionOptions Options(string model = "fake/main") => new(Root) { Model = model };

    public FakeChatModel Model(string id)
    {
        lock (_models)
        {
            return _models.TryGetValue(id, out var model) ? model : _models[id] = new FakeChatModel();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        _temp.Dispose();
    }

    private string WriteNote(string name, string text)
    {
        var path = Path.Combine(Root, "notes", name + ".txt");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return "written " + name;
    }
}
