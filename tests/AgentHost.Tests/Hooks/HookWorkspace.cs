using System.Text.Json;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Hooks;

/// <summary>A <see cref="RunWorkspace"/> with hook scripts in <c>hooks/</c> and hooks in the user's config.yaml.</summary>
internal sealed class HookWorkspace : IDisposable
{
    public RunWorkspace Ws { get; } = new();

    public string Root => Ws.Root;

    /// <summary>Writes a hook script into the workspace's <c>hooks/</c> folder and returns the command that runs it.</summary>
    public string Script(string name, string content)
    {
        var folder = Path.Combine(Root, "hooks");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, name), content.ReplaceLineEndings("\n"));
        var runner = name.EndsWith(".py", StringComparison.Ordinal) ? "python3" : "bash";
        return $"{runner} \"$CLAUDE_PROJECT_DIR/hooks/{name}\"";
    }

    /// <summary>Writes the user's config.yaml with these hooks (YAML under <c>hooks:</c>, indented two spaces) and any other YAML.</summary>
    public void UserHooks(string hooksYaml, string other = "") => Ws.WriteUserConfig("hooks:\n" + Indent(hooksYaml) + other);

    /// <summary>One hook group as YAML: EVENT: [{matcher, hooks: [{type: command, command, timeout, onFailure}]}].</summary>
    public static string Group(string hookEvent, string matcher, string command, int? timeout = null, string? onFailure = null) =>
        $"{hookEvent}:\n  - matcher: {JsonSerializer.Serialize(matcher)}\n    hooks:\n      - type: command\n        command: {JsonSerializer.Serialize(command)}\n"
        + (timeout is { } t ? $"        timeout: {t}\n" : string.Empty)
        + (onFailure is { } failure ? $"        onFailure: {failure}\n" : string.Empty);

    public string WriteScript(string yaml) => Ws.WriteScript(yaml);

    /// <summary><c>agent run PROMPT</c> with the scripted model, JSON events.</summary>
    public Task<CliResult> RunAsync(string script, string prompt = "go", params string[] more) =>
        Ws.RunAsync(["run", prompt, "-p", "scripted", "-m", "scripted/" + script, "-o", "json", .. more]);

    public Task<CliResult> AgentAsync(params string[] args) => Ws.RunAsync(args);

    public string ReadFile(string name) => File.ReadAllText(Path.Combine(Root, name));

    public static IReadOnlyList<JsonElement> Events(CliResult result, string type) =>
        [.. RunWorkspace.Events(result.Output).Where(e => e.GetProperty("type").GetString() == type)];

    public static string SessionOf(CliResult result) =>
        RunWorkspace.Events(result.Output).First(e => e.TryGetProperty("sessionId", out var id) && id.GetString() is { Length: > 0 }).GetProperty("sessionId").GetString()!;

    public void Dispose() => Ws.Dispose();

    private static string Indent(string yaml) =>
        string.Join('\n', yaml.ReplaceLineEndings("\n").Split('\n').Select(line => line.Length == 0 ? line : "  " + line)) + "\n";
}
