using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;

namespace AgentHost.Acp.Tests;

/// <summary>
/// Runs tests/acp-client/client.mjs — the official ACP TypeScript SDK as the client — against a real <c>agent acp</c>
/// process through a scenario's steps, and reads back what happened and every line either side wrote.
/// </summary>
public static class AcpClient
{
    private static readonly Lazy<string?> Script = new(FindScript);

    /// <summary>Why the SDK client cannot run here, or <see langword="null"/>.</summary>
    public static string? MissingReason =>
        SkipWhen.MissingPrograms(["node"])
        ?? (Script.Value is null ? "needs the ACP client's npm install: npm ci --prefix tests/acp-client (.ci/run does it)" : null);

    /// <summary>Runs <paramref name="steps"/> against <c>agent acp <paramref name="args"/></c> in <paramref name="workspace"/>.</summary>
    /// <param name="workspace">The workspace (its root is the agent's working directory; its environment the agent's).</param>
    /// <param name="steps">The scenario's steps (client.mjs's header lists them).</param>
    /// <param name="permission">The answers to permission requests, in order.</param>
    /// <param name="args">More arguments of <c>agent acp</c>.</param>
    /// <returns>What happened.</returns>
    public static Task<AcpRun> RunAsync(RunWorkspace workspace, JsonArray steps, IReadOnlyList<string>? permission = null, params string[] args) =>
        RunAsync(workspace, workspace.Environment, steps, permission, args);

    /// <summary>Runs <paramref name="steps"/> against <c>agent acp <paramref name="args"/></c> with its own <paramref name="environment"/>.</summary>
    /// <param name="workspace">The workspace (its root is the agent's working directory).</param>
    /// <param name="environment">The agent's environment (the workspace's with more, e.g. a server's token).</param>
    /// <param name="steps">The scenario's steps (client.mjs's header lists them).</param>
    /// <param name="permission">The answers to permission requests, in order.</param>
    /// <param name="args">More arguments of <c>agent acp</c>.</param>
    /// <returns>What happened.</returns>
    public static Task<AcpRun> RunAsync(RunWorkspace workspace, IReadOnlyDictionary<string, string> environment, JsonArray steps, IReadOnlyList<string>? permission, params string[] args) =>
        RunScenarioAsync(workspace, environment, steps, new JsonObject { ["permission"] = new JsonArray([.. (permission ?? []).Select(p => (JsonNode?)p)]) }, args);

    /// <summary>
    /// Runs <paramref name="steps"/> with more of the scenario's options (client.mjs's header: <c>permission</c>,
    /// <c>files</c>, …) against <c>agent acp <paramref name="args"/></c> in <paramref name="workspace"/>.
    /// </summary>
    /// <param name="workspace">The workspace.</param>
    /// <param name="steps">The scenario's steps.</param>
    /// <param name="options">The scenario's other options, set over the defaults.</param>
    /// <param name="args">More arguments of <c>agent acp</c>.</param>
    /// <returns>What happened.</returns>
    public static Task<AcpRun> RunScenarioAsync(RunWorkspace workspace, JsonArray steps, JsonObject options, params string[] args) =>
        RunScenarioAsync(workspace, workspace.Environment, steps, options, args);

    /// <summary>Runs <paramref name="steps"/>, answering <c>elicitation/create</c> with <paramref name="elicitation"/> in order (the last repeats).</summary>
    /// <param name="workspace">The workspace.</param>
    /// <param name="steps">The scenario's steps.</param>
    /// <param name="permission">The answers to permission requests, in order.</param>
    /// <param name="elicitation">The answers to elicitation requests (<c>{ action, content }</c>), in order.</param>
    /// <param name="args">More arguments of <c>agent acp</c>.</param>
    /// <returns>What happened.</returns>
    public static Task<AcpRun> RunAsync(RunWorkspace workspace, JsonArray steps, IReadOnlyList<string>? permission, JsonArray elicitation, params string[] args) =>
        RunScenarioAsync(workspace, steps, new JsonObject { ["permission"] = new JsonArray([.. (permission ?? []).Select(p => (JsonNode?)p)]), ["elicitation"] = elicitation }, args);

    private static async Task<AcpRun> RunScenarioAsync(RunWorkspace workspace, IReadOnlyDictionary<string, string> environment, JsonArray steps, JsonObject options, string[] args)
    {
        var transcript = workspace.Combine($"acp-{Guid.NewGuid():N}.ndjson");
        var scenario = new JsonObject
        {
            ["agent"] = new JsonObject
            {
                ["command"] = "dotnet",
                ["args"] = new JsonArray([AgentProcess.AgentDll, "acp", .. args.Select(a => (JsonNode?)a)]),
                ["cwd"] = workspace.Root,
                ["env"] = new JsonObject([.. environment.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))]),
            },
            ["transcript"] = transcript,
            ["permission"] = new JsonArray(),
            ["elicitation"] = new JsonArray(),
            ["steps"] = steps,
        };
        foreach (var (name, value) in options)
        {
            scenario[name] = value?.DeepClone();
        }

        var file = workspace.Combine($"acp-scenario-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, scenario.ToJsonString());
        var start = new ProcessStartInfo("node");
        start.ArgumentList.Add(Script.Value ?? throw new InvalidOperationException(MissingReason));
        start.ArgumentList.Add(file);
        var client = await ChildProcess.RunAsync(start, TimeSpan.FromMinutes(3), "the ACP client (node client.mjs)");
        if (client.ExitCode != 0 || client.Output.Length == 0)
        {
            throw new InvalidOperationException($"the ACP client failed ({client.ExitCode}): {client.Error}\n{client.Output}");
        }

        var lines = File.ReadAllLines(transcript).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
        return new AcpRun(JsonNode.Parse(client.Output)!.AsObject(), lines);
    }

    private static string? FindScript()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var folder = Path.Combine(dir.FullName, "tests", "acp-client");
            if (File.Exists(Path.Combine(folder, "client.mjs")))
            {
                return Directory.Exists(Path.Combine(folder, "node_modules", "@agentclientprotocol", "sdk")) ? Path.Combine(folder, "client.mjs") : null;
            }
        }

        return null;
    }
}

/// <summary>What a scenario did: the client's output (each step's result or error, with a prompt's updates) and the transcript.</summary>
/// <param name="Output">client.mjs's output.</param>
/// <param name="Transcript">Every line either side wrote: <c>{"from": "agent"|"client", "line": …}</c>.</param>
public sealed record AcpRun(JsonObject Output, IReadOnlyList<JsonObject> Transcript)
{
    /// <summary>The steps' entries.</summary>
    public JsonArray Steps => Output["steps"]!.AsArray();

    /// <summary>The entry of the step at <paramref name="index"/>.</summary>
    public JsonObject Step(int index) => Steps[index]!.AsObject();

    /// <summary>The agent's exit code.</summary>
    public int? ExitCode => Output["exitCode"]?.GetValue<int?>();

    /// <summary>What the agent wrote on standard error.</summary>
    public string Stderr => Output["stderr"]?.GetValue<string>() ?? string.Empty;

    /// <summary>The messages the agent wrote, parsed (a line that is not JSON fails the test here).</summary>
    public IReadOnlyList<JsonElement> AgentMessages =>
        [.. Transcript.Where(t => (string?)t["from"] == "agent").Select(t => JsonDocument.Parse((string)t["line"]!).RootElement.Clone())];

    /// <summary>The messages the client wrote, parsed; a raw step's deliberately malformed line (not a JSON object) is left out.</summary>
    public IReadOnlyList<JsonElement> ClientMessages =>
        [.. Transcript.Where(t => (string?)t["from"] == "client").Select(t => ObjectOf((string)t["line"]!)).OfType<JsonElement>()];

    private static JsonElement? ObjectOf(string line)
    {
        try
        {
            var element = JsonDocument.Parse(line).RootElement.Clone();
            return element.ValueKind == JsonValueKind.Object ? element : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A prompt step's updates.</summary>
    public IReadOnlyList<JsonObject> Updates(int index) => [.. Step(index)["updates"]!.AsArray().Select(u => u!.AsObject())];
}
