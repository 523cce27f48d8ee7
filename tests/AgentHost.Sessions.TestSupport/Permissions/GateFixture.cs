using System.Collections.Concurrent;
using AgentHost.Hosting;
using AgentHost.Hosting.Events;
using AgentHost.Hosting.Security;
using AgentHost.Hosting.Trust;
using AgentHost.Permissions;
using AgentHost.Permissions.Gate;
using AgentHost.Permissions.Rules;
using AgentHost.Sdk.Events;
using AgentHost.Sdk.Tools;
using AgentHost.Sessions;
using AgentHost.Sessions.Store;
using AgentHost.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentHost.Tests.Permissions;

/// <summary>
/// A project root, a real session database with one session, a real bus and broker, and a front end that answers
/// permission requests from a queue (recording each request it saw).
/// </summary>
public sealed class GateFixture : IAsyncDisposable
{
    private readonly ConcurrentQueue<PermissionAnswer> _answers = new();
    private IDisposable? _responder;
    private IDisposable? _subscription;

    private GateFixture(SessionStore store, string sessionId)
    {
        Store = store;
        SessionId = sessionId;
        Bus = new EventBus(NullLogger<EventBus>.Instance);
        Broker = new PermissionBroker(Bus);
        _ = Bus.Subscribe<AgentEvent>((e, _) =>
        {
            Events.Enqueue(e);
            return ValueTask.CompletedTask;
        });
    }

    public TempDirectory Directory { get; private set; } = null!;

    public string Root => Directory.Combine("repo");

    public string Home => Directory.Combine("home");

    public string ProjectConfig => Directory.Combine("repo", ".agent", "config.yaml");

    public string GlobalConfig => Directory.Combine("home", ".config", "agent", "config.yaml");

    public SessionStore Store { get; }

    public string SessionId { get; }

    public EventBus Bus { get; }

    public PermissionBroker Broker { get; }

    public ConcurrentQueue<AgentEvent> Events { get; } = new();

    public ConcurrentQueue<PermissionRequestedEvent> Requests { get; } = new();

    public static async Task<GateFixture> CreateAsync()
    {
        var directory = new TempDirectory();
        System.IO.Directory.CreateDirectory(directory.Combine("repo", "src"));
        System.IO.Directory.CreateDirectory(directory.Combine("home"));
        var store = await SessionStore.OpenAsync(directory.Combine("sessions.db"), SecretScrubber.PatternsOnly);
        var session = await store.CreateSessionAsync(new NewSession(directory.Combine("repo"), "scripted", "m"));
        return new GateFixture(store, session.Id) { Directory = directory };
    }

    /// <summary>Starts answering requests with these answers, in order (a request beyond them is denied).</summary>
    public void Answer(params PermissionAnswer[] answers)
    {
        foreach (var answer in answers)
        {
            _answers.Enqueue(answer);
        }

        _responder ??= Broker.AddResponder("test");
        _subscription ??= Bus.Subscribe<PermissionRequestedEvent>((request, _) =>
        {
            Requests.Enqueue(request);
            var answer = _answers.TryDequeue(out var next) ? next : new PermissionAnswer(PermissionAnswerKind.Deny, "test") { Reason = "no scripted answer left" };
            Broker.TryAnswer(request.RequestId, answer);
            return ValueTask.CompletedTask;
        });
    }

    /// <summary>A gate for the session as a run would build it: rules from text, grants loaded from the store.</summary>
    public async Task<SessionPermissionGate> GateAsync(PermissionMode mode, string[]? allow = null, string[]? ask = null, string[]? deny = null, IPermissionHooks? hooks = null)
    {
        var policy = PermissionPolicy.FromText(allow, ask, deny);
        Assert.Empty(policy.Problems);
        var rules = new RulePermissionGate(policy, mode, Root, Home);
        var grants = new SessionGrants(Root, Home);
        grants.Add(await Store.Audit.GetGrantsAsync(SessionId));
        return new SessionPermissionGate(rules, mode, new SessionPermissionOptions(SessionId, grants, Bus)
        {
            Broker = Broker,
            Store = Store.Audit,
            ProjectConfigFile = ProjectConfig,
            GlobalConfigFile = GlobalConfig,
            TrustProject = () => TrustList().Trust(Root),
            Hooks = hooks,
        });
    }

    /// <summary>The user's trust list, where a run in <see cref="Root"/> with <see cref="Home"/> would find it.</summary>
    public ProjectTrust TrustList()
    {
        var environment = TestEnvironment.Create(Home, Root);
        return ProjectTrust.Load(AgentPaths.Resolve(environment));
    }

    public ToolPermissionRequest Write(string path, string? diff = null) =>
        new(SessionId, "call-" + Guid.NewGuid().ToString("N")[..8], "write", "files", ToolEffect.Write, new ToolCallDescription("write", path) { Details = diff });

    public ToolPermissionRequest Shell(string command) =>
        new(SessionId, "call-" + Guid.NewGuid().ToString("N")[..8], "shell", "shell", ToolEffect.Execute, new ToolCallDescription("run", command));

    public static PermissionAnswer Once => new(PermissionAnswerKind.AllowOnce, "test");

    public static PermissionAnswer ForSession => new(PermissionAnswerKind.AllowSession, "test");

    public async ValueTask DisposeAsync()
    {
        _subscription?.Dispose();
        _responder?.Dispose();
        await Bus.DisposeAsync();
        Store.Dispose();
        Directory.Dispose();
    }
}
