using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using AgentHost.Agent.Composition;
using AgentHost.Cluster;
using AgentHost.Hosting.Security;
using AgentHost.Server;
using AgentHost.Server.Http;
using AgentHost.Sessions;
using AgentHost.Sessions.Postgres;
using AgentHost.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace AgentHost.Cluster.Tests;

/// <summary>
/// One node of a <see cref="TestCluster"/>: a silo of the test cluster (in a host of its own, the test cluster's) made a
/// node by <see cref="ClusterNode.OnSilo"/> (its router and status), and the node's <see cref="ApiServer"/> over its own composition (<c>AddAgentHost</c>, its own data folder)
/// and its own store connections (PostgreSQL application name = <see cref="Name"/>), on real HTTP on 127.0.0.1.
/// </summary>
internal sealed class TestNode : IAsyncDisposable
{
    public const string Token = "cluster-test-token";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };
    private static readonly TimeSpan Generous = TimeSpan.FromMinutes(3);

    private readonly ServiceProvider _services;

    private TestNode(string name, InProcessSiloHandle silo, ServiceProvider services, ApiServer server)
    {
        Name = name;
        Silo = silo;
        _services = services;
        Server = server;
        Http = new HttpClient { BaseAddress = server.Address, Timeout = Generous };
        Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
    }

    public string Name { get; }

    public InProcessSiloHandle Silo { get; }

    public ApiServer Server { get; }

    public HttpClient Http { get; }

    public ISessionStore Store => _services.GetRequiredService<ISessionStore>();

    /// <summary>Whether the node drains (it stops), once it has begun to.</summary>
    public Task DrainStarted => Silo.ServiceProvider.GetRequiredService<ClusterNodeServer>().DrainStarted;

    public static async Task<TestNode> StartAsync(InProcessSiloHandle silo, string name, string database, string clusterId, string root, string home, string catalog, string model)
    {
        var connection = PostgresConnectionString.Parse($"{database}?application_name={name}");
        var environment = TestEnvironment.Create(home, root, new Dictionary<string, string> { ["AGENT_CATALOG_DIR"] = catalog });
        var endpoint = silo.SiloAddress.Endpoint;
        var node = ClusterNode.OnSilo(silo.SiloHost.Services, endpoint, new ClusterNodeOptions(connection, clusterId, endpoint.Address, endpoint.Port));
        var defaults = new ServerDefaults(root, ["scripted", "files"], NoDefaultPlugins: true, model, TimeSpan.FromMinutes(10));
        var (server, services) = await ServedNode.ServeAsync(
            new ApiServerOptions(new LoopbackWebHost.ListenAddress("127.0.0.1", 0), Token, defaults, 1 << 20, "test") { Node = node },
            connection,
            environment,
            CancellationToken.None);
        try
        {
            await server.WarmUp;
            return new TestNode(name, silo, services, server);
        }
        catch
        {
            await server.DisposeAsync();
            await services.DisposeAsync();
            throw;
        }
    }

    /// <summary>Creates an interactive session (its permission requests and questions wait for an answer); returns its id.</summary>
    public async Task<string> CreateSessionAsync()
    {
        using var created = await Http.PostAsJsonAsync("v1/sessions", new { interactive = true });
        return (await ReadAsync<SessionView>(created, HttpStatusCode.Created)).Id;
    }

    /// <summary>Sends a prompt (202): the accepted run.</summary>
    public async Task<RunView> SendAsync(string id, string prompt)
    {
        using var accepted = await Http.PostAsJsonAsync($"v1/sessions/{id}/messages", new { prompt });
        return await ReadAsync<RunView>(accepted, HttpStatusCode.Accepted);
    }

    /// <summary>Sends a prompt and waits for its run's end (<c>wait=true</c>), once: a 409 fails the test.</summary>
    public async Task<RunView> SendAndWaitAsync(string id, string prompt)
    {
        using var ended = await Http.PostAsJsonAsync($"v1/sessions/{id}/messages?wait=true", new { prompt });
        return await ReadAsync<RunView>(ended, HttpStatusCode.OK);
    }

    /// <summary>Starts a workflow run (202): the stored run.</summary>
    public async Task<WorkflowRunView> StartWorkflowAsync(string workflow)
    {
        using var started = await Http.PostAsJsonAsync("v1/workflows/runs", new { workflow });
        return await ReadAsync<WorkflowRunView>(started, HttpStatusCode.Accepted);
    }

    public async Task<WorkflowRunView> GetWorkflowRunAsync(string runId) => (await Http.GetFromJsonAsync<WorkflowRunView>($"v1/workflows/runs/{runId}", Json))!;

    public async Task<RunView> GetRunAsync(string runId) => (await Http.GetFromJsonAsync<RunView>($"v1/runs/{runId}", Json))!;

    public async Task<SessionView> GetSessionAsync(string id) => (await Http.GetFromJsonAsync<SessionView>($"v1/sessions/{id}", Json))!;

    public async Task<RunView> CancelAsync(string runId)
    {
        using var cancelled = await Http.PostAsync($"v1/runs/{runId}/cancel", null);
        return await ReadAsync<RunView>(cancelled, HttpStatusCode.Accepted);
    }

    public async Task AnswerPermissionAsync(string id, string requestId, string answer)
    {
        using var answered = await Http.PostAsJsonAsync($"v1/sessions/{id}/permissions/{requestId}", new { answer });
        Assert.True(answered.IsSuccessStatusCode, $"{(int)answered.StatusCode} {await answered.Content.ReadAsStringAsync()}");
    }

    public async Task AnswerQuestionAsync(string id, string questionId, string answer)
    {
        using var answered = await Http.PostAsJsonAsync($"v1/sessions/{id}/questions/{questionId}", new { answer });
        Assert.True(answered.IsSuccessStatusCode, $"{(int)answered.StatusCode} {await answered.Content.ReadAsStringAsync()}");
    }

    public async Task<SessionView> CloseAsync(string id)
    {
        using var closed = await Http.PostAsync($"v1/sessions/{id}/close", null);
        return await ReadAsync<SessionView>(closed, HttpStatusCode.OK);
    }

    /// <summary>The session's messages as the store has them (read on this node).</summary>
    public async Task<List<JsonElement>> MessagesAsync(string id) =>
        [.. (await Http.GetFromJsonAsync<JsonElement>($"v1/sessions/{id}/messages?limit=200", Json)).GetProperty("messages").EnumerateArray()];

    /// <summary>Opens the session's event stream on this node (its journal: every node's appends), from the start.</summary>
    public Task<SseReader> EventsAsync(string id, CancellationToken cancellationToken) =>
        SseReader.OpenAsync(Http, $"v1/sessions/{id}/events?after=0", null, cancellationToken);

    /// <summary>Opens this node's own stream of every session it runs (its events as it publishes them, from now).</summary>
    public Task<SseReader> NodeEventsAsync(CancellationToken cancellationToken) => SseReader.OpenAsync(Http, "v1/events", null, cancellationToken);

    /// <summary>Reads a stream until an event of <paramref name="type"/> (whose data has <paramref name="contains"/>, if given); answers its data.</summary>
    public static async Task<JsonElement> UntilAsync(SseReader reader, string type, string? contains = null)
    {
        var seen = new List<string>();
        while (await reader.NextAsync() is { } item)
        {
            seen.Add(item.EventType);
            if (item.EventType == type && (contains is null || item.Data.Contains(contains, StringComparison.Ordinal)))
            {
                return JsonDocument.Parse(item.Data).RootElement.Clone();
            }
        }

        throw new InvalidOperationException($"the stream ended before {type}: {string.Join(", ", seen)}");
    }

    public static List<string?> Roles(IEnumerable<JsonElement> messages) => [.. messages.Select(m => m.GetProperty("role").GetString())];

    /// <summary>The text of a message's contents (results and texts), for assertions.</summary>
    public static string Text(JsonElement message) => message.GetProperty("contents").ToString();

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
        await _services.DisposeAsync();
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        return JsonSerializer.Deserialize<T>(body, Json)!;
    }
}
