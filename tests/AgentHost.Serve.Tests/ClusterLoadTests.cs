using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.ServerSentEvents;
using System.Text.Json;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Server;
using AgentHost.Tests.Support;
using Xunit.Abstractions;

namespace AgentHost.Serve.Tests;

/// <summary>
/// Three <c>agent serve --cluster</c> processes (their own data folders, one shared workspace, one real PostgreSQL)
/// under a thousand sessions, one of them killed with SIGKILL while runs are in flight (docs/cluster.md, "When a node
/// dies or stops"). The scripted model thinks for a while before each answer, so steps are in flight when the node dies.
/// </summary>
[Collection(nameof(ClusterLoadGroup))]
public sealed class ClusterLoadTests(ITestOutputHelper output)
{
    private const int Sessions = 1000;

    /// <summary>Sessions with a run in flight at once.</summary>
    private const int InFlight = 90;

    /// <summary>Runs completed before the kill.</summary>
    private const int KillAfter = 400;

    /// <summary>The node killed (index): it created and holds every third session.</summary>
    private const int Victim = 2;

    /// <summary>Each run: a step that lists the workspace, then a step that answers (four runs' worth of turns).</summary>
    private static readonly string Script = "turns:\n" + string.Concat(Enumerable.Repeat(
        """
          - delay_ms: 300
            tool_calls: [{ name: ls, arguments: { path: "." } }]
          - delay_ms: 300
            text: step done

        """,
        4));

    private static readonly TimeSpan Generous = TimeSpan.FromMinutes(10);

    /// <summary>
    /// A thousand sessions created round-robin on three nodes, each session's stream read from another node than the
    /// one that created it; SIGKILL of one node after 400 runs, with runs in flight on it. Clients whose stream was on
    /// the dead node reconnect to another with <c>Last-Event-ID</c>; sessions of the dead node take their next prompt on
    /// another node. Then: no duplicate event id in any stream, every completed run's events and tool step in the
    /// history, every lost step announced (<c>events.gap</c>, and its run ended <c>interrupted</c>), every run the dead
    /// node had in flight interrupted, each history what one writer makes.
    /// </summary>
    [PostgresFact]
    [Trait("Speed", "Slow")]
    public async Task ThreeNodes_AThousandSessions_OneKilledMidRun_NoEventLostFromACompletedStep_NoSecondWriter()
    {
        using var ws = new RunWorkspace();
        Directory.CreateDirectory(ws.Root);
        await File.WriteAllTextAsync(Path.Combine(ws.Root, "README.md"), "shared workspace\n");
        var script = ws.WriteScript(Script);
        var database = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync("three");
        string[] args = ["--cluster", "--plugin", "scripted", "--plugin", "files", "--no-default-plugins", "--model", "scripted/" + script];
        string[] names = ["a", "b", "c"];
        var started = await Task.WhenAll(names.Select(name => AgentServer.StartAsync(ws.Root, ClusterTests.Node(ws, name, database), args)));
        await using var a = started[0];
        await using var b = started[1];
        await using var c = started[2];
        using var timeout = new CancellationTokenSource(Generous);
        var load = new Load(started, timeout.Token);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var ids = new string[Sessions];
        await Parallel.ForAsync(0, Sessions, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = timeout.Token }, async (i, _) =>
            ids[i] = (await started[i % 3].CreateSessionAsync()).GetProperty("id").GetString()!);
        var perNode = await SessionsPerNodeAsync(a);
        Assert.Equal(new[] { Sessions / 3 + 1, Sessions / 3, Sessions / 3 }, perNode.Values.Order().Reverse());

        output.WriteLine($"{Sessions} sessions created in {clock.Elapsed.TotalSeconds:F1} s");
        clock.Restart();
        var killer = load.KillWhenReadyAsync(KillAfter);
        var driving = Task.WhenAll(Enumerable.Range(0, Sessions).Select(i => load.DriveAsync(i, ids[i])));
        var (lastEnded, still) = (-1, 0);
        while (await Task.WhenAny(driving, Task.Delay(TimeSpan.FromSeconds(20), timeout.Token)) != driving)
        {
            output.WriteLine($"{clock.Elapsed.TotalSeconds:F0} s: {load.Describe()}");
            (lastEnded, still) = (load.Ended, load.Ended == lastEnded ? still + 1 : 0);
            if (still == 3)
            {
                output.WriteLine(await load.DiagnoseAsync());
                Assert.Fail($"no run ended for a minute: {load.Describe()}");
            }
        }

        var sessions = await driving;
        output.WriteLine($"{Sessions} sessions ran (one node killed) in {clock.Elapsed.TotalSeconds:F1} s");
        Assert.True(killer.IsCompleted, "every run ended before the victim node was killed");
        await killer;

        // Every stream: ids rising, never repeated (also across a reconnection to another node).
        foreach (var session in sessions)
        {
            var eventIds = session.Events.Select(e => long.Parse(e.EventId!, CultureInfo.InvariantCulture)).ToList();
            Assert.True(eventIds.SequenceEqual(eventIds.Distinct().Order()), $"session {session.Id}: event ids {string.Join(",", eventIds)}");
        }

        // Sessions the dead node did not hold: one run each, every event of it, every step in the history.
        foreach (var session in sessions.Where(s => s.Creator != Victim))
        {
            var run = Assert.Single(session.Runs);
            Assert.Equal("completed", session.StatusOf(run));
            AssertEveryEventOf(session, run);
            Assert.Equal(Enumerable.Range(1, session.Events.Count).Select(n => n.ToString(CultureInfo.InvariantCulture)), session.Events.Select(e => e.EventId));
            var messages = await MessagesAsync(a, session.Id);
            Assert.Equal(["user", "assistant", "tool", "assistant"], messages.Select(m => m.GetProperty("role").GetString()));
            Assert.Contains("README.md", BlockedRun.Results(messages[2]), StringComparison.Ordinal);
        }

        // The dead node's sessions: a run it had in flight ended interrupted, announced in the stream after a gap, and
        // the next prompt ran on another node; a run that completed before the kill kept every event.
        var victims = sessions.Where(s => s.Creator == Victim).ToList();
        var interrupted = victims.Where(s => s.Runs.Any(r => s.StatusOf(r) == "interrupted")).ToList();
        Assert.True(interrupted.Count >= 1, "the kill should have interrupted a run in flight on the victim node");

        // Every session the dead node held takes a prompt now, on a live node (the one that takes it over stores how its
        // runs ended, as their journal says); each history is one writer's.
        await Parallel.ForEachAsync(victims, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = timeout.Token }, async (session, _) =>
        {
            var run = await ClusterTests.SendUntilTheClusterMovesAsync(started[(session.Creator + 1) % 3], session.Id, new { prompt = "once more" });
            Assert.Equal("completed", run.GetProperty("status").GetString());
        });
        output.WriteLine($"{interrupted.Count} runs interrupted; the dead node's {victims.Count} sessions took a prompt elsewhere after {clock.Elapsed.TotalSeconds:F1} s");

        // Each of their runs as its stream told it and as the store has it now: ended interrupted after an announced gap,
        // or completed with every event.
        foreach (var session in victims)
        {
            foreach (var run in session.Runs)
            {
                var status = session.StatusOf(run);
                Assert.True(status is "completed" or "interrupted", $"session {session.Id} run {run}: {status}");
                Assert.Equal(status, (await a.GetAsync($"v1/runs/{run}")).GetProperty("status").GetString());
                if (status == "interrupted")
                {
                    var ended = session.Events.FindIndex(e => e.EventType == "run.ended" && RunOf(e) == run);
                    Assert.Contains(session.Events.Take(ended), e => e.EventType == "events.gap");
                }
                else
                {
                    AssertEveryEventOf(session, run);
                }
            }
        }

        foreach (var session in victims)
        {
            AssertOneWriter(session.Id, await MessagesAsync(b, session.Id));
        }

        // Only the killed node was declared dead: no live node missed its liveness probes under this load (the probe
        // time-out of server.cluster.probe_timeout, shorter than Orleans' default, docs/cluster.md).
        var cluster = (await a.GetAsync("v1/cluster")).GetProperty("nodes").EnumerateArray().ToList();
        Assert.Equal(["active", "active", "dead"], cluster.Select(n => n.GetProperty("status").GetString()).Order());
    }

    /// <summary>A completed run's events: accepted, started, the listing's tool call, ended.</summary>
    private static void AssertEveryEventOf(SessionStream session, string run)
    {
        var accepted = session.Events.FindIndex(e => e.EventType == "run.accepted" && RunOf(e) == run);
        var ended = session.Events.FindIndex(e => e.EventType == "run.ended" && RunOf(e) == run);
        Assert.True(accepted >= 0 && ended > accepted, $"session {session.Id} run {run}: {string.Join(",", session.Events.Select(e => e.EventType))}");
        var types = session.Events.Skip(accepted).Take(ended - accepted + 1).Select(e => e.EventType).ToList();
        Assert.Contains("run.started", types);
        if (session.Events.Skip(accepted).Take(ended - accepted).Any(e => e.EventType == "tool.started"))
        {
            Assert.Contains("tool.completed", types);
        }
    }

    /// <summary>
    /// A history only one writer makes: every call answered once, right after it; no call id twice; prompts answered in
    /// order; the last message the script's answer.
    /// </summary>
    private static void AssertOneWriter(string id, List<JsonElement> messages)
    {
        var roles = string.Join(",", messages.Select(m => m.GetProperty("role").GetString()));
        var callIds = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < messages.Count; i++)
        {
            var calls = BlockedRun.Calls(messages[i]).Select(c => c.GetProperty("callId").GetString()!).ToList();
            foreach (var call in calls)
            {
                Assert.True(callIds.Add(call), $"session {id}: call {call} twice: {roles}");
            }

            if (calls.Count > 0)
            {
                Assert.True(i + 1 < messages.Count && messages[i + 1].GetProperty("role").GetString() == "tool", $"session {id}: call without its result: {roles}");
                var answered = messages[i + 1].GetProperty("contents").EnumerateArray().Select(r => r.GetProperty("callId").GetString()!).ToList();
                Assert.Equal(calls, answered);
                i++;
            }
            else if (messages[i].GetProperty("role").GetString() == "tool")
            {
                Assert.Fail($"session {id}: a result without its call: {roles}");
            }
        }

        var last = messages[^1];
        var text = string.Concat(last.GetProperty("contents").EnumerateArray().Select(c => c.TryGetProperty("text", out var t) ? t.GetString() : null));
        Assert.True(last.GetProperty("role").GetString() == "assistant" && text == "step done", $"session {id}: ends with {last}: {roles}");
    }

    private static string? RunOf(SseItem<string> item) =>
        JsonDocument.Parse(item.Data).RootElement.TryGetProperty("runId", out var run) ? run.GetString() : null;

    private static async Task<List<JsonElement>> MessagesAsync(AgentServer node, string id) =>
        [.. (await node.GetAsync($"v1/sessions/{id}/messages?limit=200")).GetProperty("messages").EnumerateArray()];

    private static async Task<Dictionary<string, int>> SessionsPerNodeAsync(AgentServer node) =>
        (await node.GetAsync("v1/cluster")).GetProperty("nodes").EnumerateArray()
            .Where(n => n.GetProperty("status").GetString() == "active")
            .ToDictionary(n => n.GetProperty("address").GetString()!, n => n.GetProperty("sessions").GetInt32());

    /// <summary>What a client saw of one session: its stream's events (across reconnections) and the runs it started.</summary>
    private sealed class SessionStream(string id, int creator)
    {
        public string Id { get; } = id;

        /// <summary>The node that created the session (and holds it until that node dies).</summary>
        public int Creator { get; } = creator;

        public List<SseItem<string>> Events { get; } = [];

        public List<string> Runs { get; } = [];

        /// <summary>The status the run's <c>run.ended</c> gave.</summary>
        public string? StatusOf(string run) =>
            Events.Where(e => e.EventType == "run.ended" && RunOf(e) == run).Select(e => JsonDocument.Parse(e.Data).RootElement.GetProperty("status").GetString()).SingleOrDefault();
    }

    /// <summary>The clients: at most <see cref="InFlight"/> sessions at work at once, and the kill of the victim node.</summary>
    private sealed class Load(AgentServer[] nodes, CancellationToken cancellationToken)
    {
        private readonly SemaphoreSlim _gate = new(InFlight);
        private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly CancellationTokenSource _killed = new();
        private readonly ConcurrentDictionary<string, bool> _runningOnVictim = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<string, SessionStream> _active = new(StringComparer.Ordinal);
        private int _completed;
        private int _killAfter = int.MaxValue;

        private volatile bool _killing;

        /// <summary>Whether the victim is killed (or being killed): from then on its failures are expected.</summary>
        private bool Killed => _killing;

        /// <summary>Kills the victim once <paramref name="completed"/> runs completed and at least five run on it.</summary>
        public async Task KillWhenReadyAsync(int completed)
        {
            Volatile.Write(ref _killAfter, completed);
            Check();
            await _ready.Task.WaitAsync(cancellationToken);
            _killing = true;
            await nodes[Victim].Process.KillAsync();
            await _killed.CancelAsync();
        }

        public async Task<SessionStream> DriveAsync(int index, string id)
        {
            var session = new SessionStream(id, index % 3);
            await _gate.WaitAsync(cancellationToken);
            _active[id] = session;
            try
            {
                var reader = (index + 1) % 3;
                var (run, ranOnVictim) = await SendAsync(session, "list the workspace");
                session.Runs.Add(run);
                if (!await FollowAsync(session, reader, run, ranOnVictim))
                {
                    // The node running it died: the next prompt, on another node, takes the session over.
                    var (next, _) = await SendAsync(session, "go on");
                    session.Runs.Add(next);
                    Assert.True(await FollowAsync(session, reader, next, ranOnVictim: false), $"session {id}: the stream of its moved run broke");
                }

                return session;
            }
            finally
            {
                _active.TryRemove(id, out _);
                _gate.Release();
            }
        }

        /// <summary>
        /// Reads the session's stream (from the reader node, or a live one once the reader is dead) until the run ends.
        /// False when the run was on the victim node and the kill came before it completed (the run ends when another
        /// node takes the session over).
        /// </summary>
        private async Task<bool> FollowAsync(SessionStream session, int reader, string run, bool ranOnVictim)
        {
            while (true)
            {
                if (ranOnVictim && Killed && (await nodes[(Victim + 1) % 3].GetAsync($"v1/runs/{run}")).GetProperty("status").GetString() != "completed")
                {
                    return false;
                }

                var node = Killed && reader == Victim ? (Victim + 1) % 3 : reader;
                var watchKill = !Killed && (node == Victim || ranOnVictim);
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, watchKill ? _killed.Token : CancellationToken.None);
                var lastId = session.Events.Count == 0 ? null : session.Events[^1].EventId;
                try
                {
                    await using var stream = await SseReader.OpenAsync(nodes[node].Http, $"v1/sessions/{session.Id}/events{(lastId is null ? "?after=0" : string.Empty)}", lastId, linked.Token);
                    while (await stream.NextAsync() is { } item)
                    {
                        session.Events.Add(item);
                        if (ranOnVictim && item.EventType == "run.accepted" && RunOf(item) == run)
                        {
                            _runningOnVictim[run] = true;
                            Check();
                        }

                        if (item.EventType == "run.ended" && RunOf(item) == run)
                        {
                            _runningOnVictim.TryRemove(run, out _);
                            Interlocked.Increment(ref _completed);
                            Check();
                            return true;
                        }
                    }
                }
                catch (Exception ex) when (Killed && ex is OperationCanceledException or HttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
                {
                }

                Assert.True(Killed, $"session {session.Id}: the stream on node {node} ended before run {run} did");
            }
        }

        /// <summary>
        /// Sends a prompt (202): to the node that created the session, or once that is dead to a live one until the
        /// cluster has moved the session. Returns the run and whether the victim node took it.
        /// </summary>
        private async Task<(string Run, bool OnVictim)> SendAsync(SessionStream session, string prompt)
        {
            while (true)
            {
                var node = Killed && session.Creator == Victim ? (Victim + 1) % 3 : session.Creator;
                try
                {
                    using var response = await nodes[node].Http.PostAsJsonAsync($"v1/sessions/{session.Id}/messages", new { prompt }, cancellationToken);
                    var body = await response.Content.ReadAsStringAsync(cancellationToken);
                    if (response.StatusCode == HttpStatusCode.Accepted)
                    {
                        // The session's creator holds it and runs it (until it dies: then the live node that took it over).
                        return (JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!, node == Victim);
                    }

                    Assert.True(Killed && response.StatusCode == HttpStatusCode.Conflict, $"session {session.Id} on node {node}: {(int)response.StatusCode} {body}");
                }
                catch (HttpRequestException) when (Killed && node == Victim)
                {
                }

                await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
            }
        }

        /// <summary>How many runs ended (as their clients saw).</summary>
        public int Ended => Volatile.Read(ref _completed);

        /// <summary>What the live nodes say of the sessions at work (for a test that stalls).</summary>
        public async Task<string> DiagnoseAsync()
        {
            var text = new System.Text.StringBuilder();
            text.AppendLine((await AgentServer.SendAsync(nodes[0].Http, HttpMethod.Get, "v1/cluster", null)).Body);
            foreach (var session in _active.Values.Where(s => s.Runs.Count > 0).Take(4))
            {
                foreach (var node in new[] { 0, 1 })
                {
                    text.AppendLine($"{session.Id} on node {node}: {(await AgentServer.SendAsync(nodes[node].Http, HttpMethod.Get, $"v1/sessions/{session.Id}", null)).Body}");
                }

                text.AppendLine($"run {session.Runs[^1]}: {(await AgentServer.SendAsync(nodes[0].Http, HttpMethod.Get, $"v1/runs/{session.Runs[^1]}", null)).Body}");
                text.AppendLine($"history: {(await AgentServer.SendAsync(nodes[0].Http, HttpMethod.Get, $"v1/sessions/{session.Id}/messages", null)).Body}");
            }

            return text.ToString();
        }

        /// <summary>Progress, and the sessions at work (for a test that times out).</summary>
        public string Describe() =>
            $"{Volatile.Read(ref _completed)} runs ended, killed: {Killed}, running on the victim: {_runningOnVictim.Count}, at work: {_active.Count}" +
            (Killed ? string.Concat(_active.Values.Take(5).Select(s => $"\n  {s.Id} (node {s.Creator}) runs {string.Join(",", s.Runs)}: {string.Join(" ", s.Events.TakeLast(6).Select(e => $"{e.EventId}:{e.EventType}"))}")) : string.Empty);

        private void Check()
        {
            if (Volatile.Read(ref _completed) >= Volatile.Read(ref _killAfter) && _runningOnVictim.Count >= 5)
            {
                _ready.TrySetResult();
            }
        }
    }
}

/// <summary>
/// The thousand-session test loads every core of the machine for minutes: it runs alone (after the parallel tests),
/// so that tests with time limits of their own (a doctor's probe, a workflow's budget) never run beside it.
/// </summary>
[CollectionDefinition(nameof(ClusterLoadGroup), DisableParallelization = true)]
public sealed class ClusterLoadGroup;
