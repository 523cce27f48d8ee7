using System.Text.Json;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Sandbox;

/// <summary>
/// A run workspace for sandbox tests: a HOME of its own holding a fake SSH key (<c>~/.ssh/id_rsa</c>), a git folder with
/// <c>hooks/</c> and <c>config</c>, and a folder outside the workspace; runs <c>agent run</c> with the scripted provider
/// and the shell plugin, JSON output, and reads the shell's results from the events.
/// </summary>
internal sealed class SandboxWorkspace : IDisposable
{
    public const string FakeKey = "FAKE-PRIVATE-KEY-0c9e";

    private readonly RunWorkspace _ws = new();

    public SandboxWorkspace()
    {
        Directory.CreateDirectory(Path.Combine(Home, ".ssh"));
        File.WriteAllText(Path.Combine(Home, ".ssh", "id_rsa"), FakeKey + "\n");
        Directory.CreateDirectory(Path.Combine(Root, ".git", "hooks"));
        File.WriteAllText(Path.Combine(Root, ".git", "config"), "[core]\n\tbare = false\n");
        Directory.CreateDirectory(Outside);
    }

    public string Root => _ws.Root;

    public string Home => _ws.Combine("userhome");

    /// <summary>A folder outside the workspace (writable by the test user).</summary>
    public string Outside => _ws.Combine("outside");

    public Dictionary<string, string> Environment
    {
        get
        {
            var environment = _ws.Environment;
            environment["HOME"] = Home;
            foreach (var (name, value) in MoreEnvironment)
            {
                environment[name] = value;
            }

            return environment;
        }
    }

    /// <summary>Variables the agent's process gets besides the workspace's.</summary>
    public Dictionary<string, string> MoreEnvironment { get; } = [];

    public string Combine(params string[] parts) => _ws.Combine(parts);

    public void WriteUserConfig(string yaml) => _ws.WriteUserConfig(yaml);

    public void WriteProjectConfig(string yaml) => _ws.WriteProjectConfig(yaml);

    /// <summary>The scripted model: the given tool calls, one a turn, then "done".</summary>
    public string Script(params string[] toolCalls) =>
        "scripted/" + _ws.WriteScript("turns:\n" + string.Concat(toolCalls.Select(call => $"  - tool_calls: [{call}]\n")) + "  - text: done\n");

    /// <summary>One shell call as a scripted tool call (the command as a JSON string).</summary>
    public static string Shell(string command, bool background = false) =>
        $"{{ name: shell, arguments: {{ command: {JsonSerializer.Serialize(command)}{(background ? ", run_in_background: true" : string.Empty)} }} }}";

    /// <summary>Runs the agent in yolo mode (so only the sandbox stands between the command and the machine).</summary>
    public Task<SandboxRun> RunAsync(string model, params string[] extra) => RunInModeAsync("yolo", model, extra);

    /// <summary>Runs the agent headless (<c>-o json</c>) in <paramref name="mode"/>: a call that would ask a person is denied at once, answered <c>headless</c>.</summary>
    public async Task<SandboxRun> RunInModeAsync(string mode, string model, params string[] extra)
    {
        string[] args = ["run", "go", "-p", "scripted", "-p", "shell", "-m", model, "--permission-mode", mode, "-o", "json", .. extra];
        var result = await AgentProcess.RunAsync(Root, Environment, args);
        return new SandboxRun(result, RunWorkspace.Events(result.Output));
    }

    public void Dispose() => _ws.Dispose();
}

/// <summary>A finished run and its events.</summary>
internal sealed record SandboxRun(CliResult Result, IReadOnlyList<JsonElement> Events)
{
    /// <summary>The <c>tool.completed</c> events' result previews and errors, in order.</summary>
    public IReadOnlyList<string> Results => [.. Events.Where(e => Type(e) == "tool.completed").Select(e => Text(e, "resultPreview") + Text(e, "error"))];

    /// <summary>The <c>sandbox</c> field of each <c>tool.completed</c> event.</summary>
    public IReadOnlyList<string?> Sandboxes => [.. Events.Where(e => Type(e) == "tool.completed").Select(e => e.TryGetProperty("sandbox", out var value) ? value.GetString() : null)];

    /// <summary>The <c>permission.decided</c> events, in order.</summary>
    public IReadOnlyList<JsonElement> Decisions => [.. Events.Where(e => Type(e) == "permission.decided")];

    public IEnumerable<string> Warnings => Events.Where(e => Type(e) == "warning").Select(e => Text(e, "message"));

    public string All => Result.Output + Result.Error;

    private static string? Type(JsonElement e) => e.GetProperty("type").GetString();

    public static string Text(JsonElement e, string name) => e.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : string.Empty;
}
