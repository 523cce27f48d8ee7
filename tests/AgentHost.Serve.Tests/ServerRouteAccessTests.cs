using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Server;
using AgentHost.Tests.Support;

namespace AgentHost.Serve.Tests;

/// <summary>
/// Every route checks its caller (docs/server.md "Every route checks the caller"), over a real <c>agent serve</c> with real
/// members' tokens: every route of the OpenAPI document × {owner, other member, viewer, admin, removed user, no token};
/// catalog reads that leave a session closed and unleased; event streams that end when their user is removed or their
/// token replaced; lists and errors that name only the caller's own roots and runs; paths with a NUL character.
/// </summary>
[Trait("Speed", "Slow")]
public sealed class ServerRouteAccessTests : IDisposable
{
    private const string MissingSession = "01JNOSUCHSESSION0000000000";
    private const string MissingRun = "01JNOSUCHRUN00000000000000";
    private const string MissingWorkflowRun = "01JNOSUCHWORKF10WRUN000000";

    /// <summary>A workflow that waits for a person: a run that stays, owned by whoever started it.</summary>
    private const string Hold = "name: hold\nnodes:\n  - id: ask\n    kind: wait\n    question: \"Go on?\"\n    options: [go, stop]\noutput: \"{{ nodes.ask.answer }}\"\n";

    /// <summary>The catalog reads that take <c>?session=</c>.</summary>
    private static readonly string[] Catalogs = ["tools", "skills", "models", "lsp"];

    private readonly RunWorkspace _ws = new();

    public ServerRouteAccessTests() => File.WriteAllText(Path.Combine(_ws.Root, "hold.yaml"), Hold);

    public void Dispose() => _ws.Dispose();

    [Fact]
    public async Task EveryRouteOfTheOpenApiDocument_AnswersEachRole_OtherMembersAsIfNothingExisted()
    {
        var tokens = await AddUsersAsync(("alice", "member"), ("bob", "member"), ("vera", "viewer"), ("ada", "admin"), ("rex", "member"));
        await using var server = await StartAsync();
        using var alice = server.Client(tokens["alice"]);
        var session = await CreateAsync(alice);
        using var sent = await alice.PostAsJsonAsync($"v1/sessions/{session}/messages?wait=true", new { prompt = "hi" });
        var run = (await AgentServer.ReadAsync(sent, HttpStatusCode.OK)).GetProperty("id").GetString()!;
        var workflowRun = await StartHoldAsync(alice);
        Assert.Equal(0, (await _ws.RunAsync("server", "user", "remove", "rex")).ExitCode);

        var document = await server.GetAsync("openapi.json");
        var clients = new Dictionary<string, HttpClient>
        {
            ["no token"] = server.Client(null),
            ["removed user"] = server.Client(tokens["rex"]),
            ["other member"] = server.Client(tokens["bob"]),
            ["viewer"] = server.Client(tokens["vera"]),
            ["owner"] = alice,
            ["admin"] = server.Client(tokens["ada"]),
        };
        var checkedRoutes = 0;
        try
        {
            // The roles that change nothing first; the owner and the admin last (a delete gets a session of its own).
            foreach (var (role, client) in clients)
            {
                foreach (var route in Routes(document))
                {
                    var ids = new Ids(route.Method == HttpMethod.Delete && role is "owner" or "admin" ? await CreateAsync(alice) : session, run, workflowRun);
                    var answer = await AgentServer.SendAsync(client, route.Method, route.Url(ids), route.Body);
                    var what = $"{role}: {route.Method} {route.Url(ids)} ({route.Access}) → {(int)answer.Status} {answer.Body}";
                    switch (role)
                    {
                        case "no token" or "removed user":
                            Assert.True(answer.Status == HttpStatusCode.Unauthorized, what);
                            break;
                        case "other member" when route.Access == "admin":
                        case "viewer" when route.Access is "admin" or "create" || route.Access.StartsWith("change:", StringComparison.Ordinal):
                            Assert.True(answer.Status == HttpStatusCode.Forbidden, what);
                            break;
                        case "other member" when route.NamesAResource:
                            // Exactly the answer for a resource that does not exist: 404, the same body, ids aside.
                            var missing = await AgentServer.SendAsync(client, route.Method, route.Url(Ids.Missing), route.Body);
                            Assert.True(answer.Status == HttpStatusCode.NotFound, what);
                            Assert.Equal(Ids.Missing.Blank(missing.Body), ids.Blank(answer.Body));
                            break;
                        case "owner" when route.Access == "admin":
                            Assert.True(answer.Status == HttpStatusCode.Forbidden, what);
                            break;
                        default:
                            // Let through: whatever the route then answers, never a refusal of the caller or a hidden resource.
                            Assert.True(answer.Status is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden), what);
                            Assert.False(answer.Status == HttpStatusCode.NotFound && answer.Body.Contains("was not found", StringComparison.Ordinal), what);
                            break;
                    }

                    checkedRoutes++;
                }
            }
        }
        finally
        {
            foreach (var (role, client) in clients.Where(c => c.Key != "owner"))
            {
                client.Dispose();
            }
        }

        Assert.True(checkedRoutes >= 6 * 30, $"only {checkedRoutes} requests: the document lists fewer routes than the API has");
    }

    [Fact]
    public async Task CatalogReads_OfAClosedSession_LeaveItClosedAndUnleased_AndAnotherMembersIs404()
    {
        var tokens = await AddUsersAsync(("alice", "member"), ("bob", "member"));
        await using var server = await StartAsync();
        using var alice = server.Client(tokens["alice"]);
        using var bob = server.Client(tokens["bob"]);
        var session = await CreateAsync(alice);
        using (var closed = await alice.PostAsync($"v1/sessions/{session}/close", null))
        {
            Assert.False((await AgentServer.ReadAsync(closed, HttpStatusCode.OK)).GetProperty("open").GetBoolean());
        }

        foreach (var catalog in Catalogs)
        {
            using var read = await alice.GetAsync($"v1/{catalog}?session={session}");
            await AgentServer.ReadAsync(read, HttpStatusCode.OK);
        }

        Assert.Contains((await server.GetAsync($"v1/tools?session={session}")).EnumerateArray(), t => t.GetProperty("name").GetString() == "shell");
        await AgentServer.AssertAnsweredAsMissingAsync(bob, [.. Catalogs.Select(c => (HttpMethod.Get, (Func<string, string>)(id => $"v1/{c}?session={id}"), (object?)null))], session, MissingSession);
        using (var view = await alice.GetAsync($"v1/sessions/{session}"))
        {
            Assert.False((await AgentServer.ReadAsync(view, HttpStatusCode.OK)).GetProperty("open").GetBoolean());
        }

        // Unleased: another process may write the session while the server runs.
        var cli = await _ws.RunAsync("run", "from the CLI", "--session", session, "-p", "scripted", "-p", "shell", "--no-default-plugins", "-m", "scripted/" + _ws.WriteScript("turns:\n  - text: Done.\n"), "-o", "final");
        Assert.True(cli.ExitCode == 0, cli.Error);
        Assert.Contains("Done.", cli.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EventStreams_End_WhenTheirUserIsRemovedOrTheirTokenReplaced_BeforeTheNextEvent()
    {
        var tokens = await AddUsersAsync(("alice", "member"), ("vera", "viewer"));
        await using var server = await StartAsync();
        using var alice = server.Client(tokens["alice"]);
        using var vera = server.Client(tokens["vera"]);
        var hers = await CreateAsync(alice);
        var admins = (await server.CreateSessionAsync()).GetProperty("id").GetString()!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await using var veraEvents = await SseReader.OpenAsync(vera, "v1/events", null, timeout.Token);
        await using var aliceEvents = await SseReader.OpenAsync(alice, $"v1/sessions/{hers}/events", null, timeout.Token);

        // Both streams deliver while their tokens hold.
        var first = (await server.SendAndWaitAsync(admins, new { prompt = "one" })).GetProperty("id").GetString()!;
        Assert.Contains(await AgentServer.UntilAsync(veraEvents, "run.ended", admins), e => e.Data.Contains(first, StringComparison.Ordinal));
        var firstOfHers = (await server.SendAndWaitAsync(hers, new { prompt = "one" })).GetProperty("id").GetString()!;
        Assert.Contains(await AgentServer.UntilAsync(aliceEvents, "run.ended"), e => e.Data.Contains(firstOfHers, StringComparison.Ordinal));
        await AgentServer.UntilAsync(veraEvents, "run.ended", hers);

        Assert.Equal(0, (await _ws.RunAsync("server", "user", "remove", "vera")).ExitCode);
        Assert.Equal(0, (await _ws.RunAsync("server", "user", "token", "alice")).ExitCode);
        var second = (await server.SendAndWaitAsync(admins, new { prompt = "two" })).GetProperty("id").GetString()!;
        var secondOfHers = (await server.SendAndWaitAsync(hers, new { prompt = "two" })).GetProperty("id").GetString()!;

        // Each stream ends (the server closes it) without one event of the runs after the change.
        foreach (var (reader, runs) in new[] { (veraEvents, new[] { second, secondOfHers }), (aliceEvents, new[] { secondOfHers }) })
        {
            var after = new List<string>();
            while (await reader.NextAsync() is { } item)
            {
                after.Add(item.Data);
            }

            Assert.DoesNotContain(after, data => runs.Any(r => data.Contains(r, StringComparison.Ordinal)));
        }
    }

    [Fact]
    public async Task PluginsAndLsp_ListOnlyTheCallersRoots_AndARunPrefixMatchesOnlyTheCallersRuns()
    {
        var aliceRoot = _ws.Combine("alice-root");
        var bobRoot = _ws.Combine("bob-root");
        Directory.CreateDirectory(aliceRoot);
        Directory.CreateDirectory(bobRoot);
        File.WriteAllText(Path.Combine(aliceRoot, "hold.yaml"), Hold);
        File.WriteAllText(Path.Combine(bobRoot, "hold.yaml"), Hold);
        _ws.WriteUserConfig($"server:\n  roots: ['{_ws.Root}']\n  user_roots:\n    alice: ['{aliceRoot}']\n    bob: ['{bobRoot}']\n");
        var tokens = await AddUsersAsync(("alice", "member"), ("bob", "member"), ("ada", "admin"));
        await using var server = await StartAsync();
        using var alice = server.Client(tokens["alice"]);
        using var bob = server.Client(tokens["bob"]);
        using var ada = server.Client(tokens["ada"]);
        await CreateAsync(alice, new { root = aliceRoot });
        await CreateAsync(bob, new { root = bobRoot });

        foreach (var listing in new[] { "v1/plugins", "v1/lsp" })
        {
            Assert.Equal([Real(aliceRoot)], await RootsAsync(alice, listing));
            Assert.Equal([Real(bobRoot)], await RootsAsync(bob, listing));
            var all = await RootsAsync(ada, listing);
            Assert.Contains(Real(aliceRoot), all);
            Assert.Contains(Real(bobRoot), all);
        }

        // Two runs started together share the start of their ids (ULIDs begin with the time).
        var bobs = await StartHoldAsync(bob, bobRoot);
        var hers = await StartHoldAsync(alice, aliceRoot);
        var shared = new string([.. bobs.Zip(hers).TakeWhile(p => p.First == p.Second).Select(p => p.First)]);
        Assert.True(shared.Length >= 4, $"{bobs} and {hers} share too little");
        using (var mine = await alice.GetAsync($"v1/workflows/runs/{shared}"))
        {
            var body = await mine.Content.ReadAsStringAsync();
            Assert.True(mine.StatusCode == HttpStatusCode.OK, body);
            Assert.Equal(hers, JsonDocument.Parse(body).RootElement.GetProperty("id").GetString());
            Assert.DoesNotContain(bobs, body, StringComparison.Ordinal);
        }

        var several = await AgentServer.SendAsync(ada, HttpMethod.Get, $"v1/workflows/runs/{shared}", null);
        Assert.Equal(HttpStatusCode.BadRequest, several.Status);
        Assert.Contains(bobs, several.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PathsWithANulCharacter_Are400NamingTheField_NotAServerError()
    {
        await using var server = await StartAsync();
        foreach (var (method, path, body, field) in new (HttpMethod, string, object?, string)[]
        {
            (HttpMethod.Post, "v1/sessions", new { root = _ws.Root + "\u0000x" }, "root"),
            (HttpMethod.Post, "v1/sessions", new { plugins = new[] { "scripted", "/tmp/\u0000x" } }, "plugins[1]"),
            (HttpMethod.Post, "v1/workflows/runs", new { workflow = "hold.yaml\u0000x" }, "workflow"),
            (HttpMethod.Post, "v1/workflows/runs", new { workflow = "hold.yaml", root = "sub\u0000x" }, "root"),
            (HttpMethod.Get, "v1/sessions?root=a%00b", null, "root"),
            (HttpMethod.Get, "v1/workflows/runs?root=a%00b", null, "root"),
        })
        {
            var answer = await AgentServer.SendAsync(server.Http, method, path, body);
            Assert.True(answer.Status == HttpStatusCode.BadRequest, $"{method} {path}: {(int)answer.Status} {answer.Body}");
            Assert.StartsWith($"{field}: the path contains a NUL character", JsonDocument.Parse(answer.Body).RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        }
    }

    /// <summary>The routes of the OpenAPI document, each with its access (x-access) and how to fill its parameters.</summary>
    private static List<Route> Routes(JsonElement document)
    {
        var routes = new List<Route>();
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                Assert.True(operation.Value.TryGetProperty("x-access", out var access), $"{operation.Name.ToUpperInvariant()} {path.Name} declares no access (x-access)");
                var query = operation.Value.TryGetProperty("parameters", out var parameters)
                    && parameters.EnumerateArray().Any(p => p.GetProperty("in").GetString() == "query" && p.GetProperty("name").GetString() == "session");
                routes.Add(new Route(
                    new HttpMethod(operation.Name.ToUpperInvariant()),
                    path.Name,
                    query,
                    access.GetString()!,
                    operation.Value.TryGetProperty("requestBody", out _) ? new { } : null));
            }
        }

        return routes;
    }

    private static async Task<List<string>> RootsAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        return [.. (await AgentServer.ReadAsync(response, HttpStatusCode.OK)).EnumerateArray().Select(e => e.GetProperty("root").GetString()!).Distinct()];
    }

    private static string Real(string path) => AgentHost.Sdk.Tools.WorkspacePaths.RealPath(Path.GetFullPath(path));

    private async Task<Dictionary<string, string>> AddUsersAsync(params (string Name, string Role)[] users)
    {
        var tokens = new Dictionary<string, string>();
        foreach (var (name, role) in users)
        {
            tokens[name] = await AgentServer.AddUserAsync(_ws, name, role);
        }

        return tokens;
    }

    private async Task<AgentServer> StartAsync() =>
        await AgentServer.StartAsync(_ws.Root, _ws.Environment, "--plugin", "scripted", "--plugin", "shell", "--no-default-plugins", "--model", "scripted/" + _ws.WriteScript("turns:\n  - text: Hi.\n  - text: Again.\n  - text: Once more.\n"));

    private static async Task<string> CreateAsync(HttpClient client, object? request = null)
    {
        using var response = await client.PostAsJsonAsync("v1/sessions", request ?? new { });
        return (await AgentServer.ReadAsync(response, HttpStatusCode.Created)).GetProperty("id").GetString()!;
    }

    private static async Task<string> StartHoldAsync(HttpClient client, string? root = null)
    {
        using var started = await client.PostAsJsonAsync("v1/workflows/runs", new { workflow = "hold.yaml", root });
        return (await AgentServer.ReadAsync(started, HttpStatusCode.Accepted)).GetProperty("id").GetString()!;
    }

    /// <summary>The resources a route's parameters name.</summary>
    private sealed record Ids(string Session, string Run, string WorkflowRun)
    {
        public static Ids Missing { get; } = new(MissingSession, MissingRun, MissingWorkflowRun);

        /// <summary>A body with these ids replaced by ID, to compare with the answer about other ids.</summary>
        public string Blank(string body) => body.Replace(Session, "ID", StringComparison.Ordinal).Replace(Run, "ID", StringComparison.Ordinal).Replace(WorkflowRun, "ID", StringComparison.Ordinal);
    }

    /// <summary>A route of the document: its method, template, whether it takes ?session=, its access, and a body to send.</summary>
    private sealed record Route(HttpMethod Method, string Template, bool SessionQuery, string Access, object? Body)
    {
        /// <summary>Whether the route names one user's resource (a path parameter that is not a sub-item's, or ?session=).</summary>
        public bool NamesAResource => SessionQuery || Template.Contains("{id}", StringComparison.Ordinal) || Template.Contains("{runId}", StringComparison.Ordinal);

        /// <summary>The route with its parameters filled: the owner's resources (or the missing ones), made-up names for sub-items.</summary>
        public string Url(Ids ids)
        {
            var path = Template
                .Replace("{id}", Template.StartsWith("/v1/workflows/runs", StringComparison.Ordinal) ? ids.WorkflowRun : ids.Session, StringComparison.Ordinal)
                .Replace("{runId}", ids.Run, StringComparison.Ordinal)
                .Replace("{requestId}", "p1", StringComparison.Ordinal)
                .Replace("{questionId}", "q1", StringComparison.Ordinal)
                .Replace("{name}", "nosuchserver", StringComparison.Ordinal)
                .Replace("{action}", "restart", StringComparison.Ordinal);
            Assert.DoesNotContain("{", path, StringComparison.Ordinal);
            return path.TrimStart('/') + (SessionQuery ? $"?session={ids.Session}" : string.Empty);
        }
    }
}
