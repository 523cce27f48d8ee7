using System.Text;
using System.Text.Json.Nodes;
using AgentHost.Hosting.Security;
using AgentHost.Tests.Runs;

namespace AgentHost.Tests.Security;

/// <summary>
/// Issue #44, class 4, end to end: a real <c>agent run -o json</c> with the scripted provider whose streamed answer,
/// tool call, tool error, permission subject and final text carry a private key and an AWS secret access key named only
/// by the word "AWS". Neither may reach the NDJSON (<c>message.delta</c>, <c>tool.completed.error</c>,
/// <c>run.completed.finalText</c>), the SQLite file or its WAL, the exports or the permission audit.
/// </summary>
public sealed class SecretRulesRunTests
{
    private const string Base64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    [Fact]
    public async Task Run_NeverWritesAPrivateKeyOrAnAwsSecretKey_ToNdjsonDatabaseExportsOrAudit()
    {
        using var ws = new RunWorkspace();
        var random = new Random(44);
        string Chars(int length) => "Q" + new string([.. Enumerable.Range(0, length - 2).Select(_ => Base64[random.Next(Base64.Length)])]) + "7";
        var awsSecret = Chars(40);
        var keyLines = Enumerable.Range(0, 3).Select(_ => Chars(64)).ToArray();
        var privateKey = $"-----{"BEGIN"} OPENSSH PRIVATE KEY-----\n{string.Join('\n', keyLines)}\n-----END OPENSSH PRIVATE KEY-----";
        var script = new JsonObject
        {
            ["turns"] = new JsonArray(
                new JsonObject
                {
                    ["text"] = $"canary-answer. Your key:\n{privateKey}\nand the AWS secret key {awsSecret} for the deploy user.\n",
                    ["tool_calls"] = new JsonArray(
                        new JsonObject { ["name"] = "view", ["arguments"] = new JsonObject { ["path"] = $"aws-{awsSecret}.txt" } }),
                },
                new JsonObject { ["text"] = $"Done. aws secret: {awsSecret}\n{privateKey}" }),
        };
        var scriptPath = ws.WriteScript(script.ToJsonString());

        var run = await ws.RunAsync("run", "canary-prompt", "-p", "scripted", "-p", "files", "-m", "scripted/" + scriptPath, "-o", "json");

        Assert.True(run.ExitCode == ExitCodes.Success, run.Error + run.Output);
        var events = RunWorkspace.Events(run.Output);
        var sessionId = events.First(e => e.GetProperty("type").GetString() == "run.started").GetProperty("sessionId").GetString()!;
        string Field(string type, string name) => string.Concat(events.Where(e => e.GetProperty("type").GetString() == type && e.TryGetProperty(name, out _)).Select(e => e.GetProperty(name).GetString()));
        var deltas = Field("message.delta", "text");
        var toolError = Field("tool.completed", "error");
        var finalText = Field("run.completed", "finalText");
        Assert.Contains("canary-answer", deltas, StringComparison.Ordinal);
        Assert.Contains("aws-", toolError, StringComparison.Ordinal);
        Assert.Contains(SecretScrubber.Mask, finalText, StringComparison.Ordinal);

        var jsonl = await ws.RunAsync("session", "export", sessionId, "--format", "jsonl");
        var markdown = await ws.RunAsync("session", "export", sessionId, "--format", "markdown");
        var audit = await ws.RunAsync("session", "audit", sessionId, "--json");
        Assert.True(jsonl.ExitCode == ExitCodes.Success && markdown.ExitCode == ExitCodes.Success && audit.ExitCode == ExitCodes.Success, jsonl.Error + markdown.Error + audit.Error);
        Assert.Contains("aws-", audit.Output, StringComparison.Ordinal);

        var outputs = new Dictionary<string, string>
        {
            ["message.delta"] = deltas,
            ["tool.completed.error"] = toolError,
            ["run.completed.finalText"] = finalText,
            ["NDJSON stdout"] = run.Output,
            ["export jsonl"] = jsonl.Output,
            ["export markdown"] = markdown.Output,
            ["session audit"] = audit.Output,
        };
        var home = ws.Environment["AGENT_HOME"];
        foreach (var file in Directory.EnumerateFiles(home, "*", SearchOption.AllDirectories))
        {
            // The database, its WAL and anything else the run left, byte for byte.
            outputs[Path.GetRelativePath(home, file)] = Encoding.UTF8.GetString(File.ReadAllBytes(file));
        }

        Assert.Contains(outputs, o => o.Key.StartsWith("sessions.db", StringComparison.Ordinal) && o.Value.Contains("canary-answer", StringComparison.Ordinal));
        var leaks = (from output in outputs
                     from secret in keyLines.Append(awsSecret)
                     where SecretCorpusRunTests.Leaks(output.Value, secret)
                     select $"{(secret == awsSecret ? "AWS secret key" : "private key line")} in {output.Key}").Distinct().ToList();
        Assert.True(leaks.Count == 0, "secrets leaked:\n" + string.Join('\n', leaks));
    }

    [Fact]
    public async Task Run_NeverStoresOrExportsAPrivateKeyBlock_FromThePromptOrAToolOutput()
    {
        using var ws = new RunWorkspace();
        var random = new Random(73);
        string Chars(int length) => "Q" + new string([.. Enumerable.Range(0, length - 2).Select(_ => Base64[random.Next(Base64.Length)])]) + "7";
        var promptLines = Enumerable.Range(0, 3).Select(_ => Chars(64)).ToArray();
        var fileLines = Enumerable.Range(0, 3).Select(_ => Chars(64)).ToArray();
        var promptKey = $"-----{"BEGIN"} RSA PRIVATE KEY-----\r\n{string.Join("\r\n", promptLines)}\r\n-----END RSA PRIVATE KEY-----";
        await File.WriteAllTextAsync(Path.Combine(ws.Root, "notes.txt"), $"deploy notes\n-----{"BEGIN"} PRIVATE KEY-----\n{string.Join('\n', fileLines)}\n-----END PRIVATE KEY-----\nend of notes\n");
        var script = new JsonObject
        {
            ["turns"] = new JsonArray(
                new JsonObject { ["tool_calls"] = new JsonArray(new JsonObject { ["name"] = "view", ["arguments"] = new JsonObject { ["path"] = "notes.txt" } }) },
                new JsonObject { ["text"] = "canary-answer: read it." }),
        };

        var run = await ws.RunAsync("run", $"canary-prompt, use this key:\n{promptKey}\n", "-p", "scripted", "-p", "files", "-m", "scripted/" + ws.WriteScript(script.ToJsonString()), "-o", "json");

        Assert.True(run.ExitCode == ExitCodes.Success, run.Error + run.Output);
        var sessionId = RunWorkspace.Events(run.Output).First(e => e.GetProperty("type").GetString() == "run.started").GetProperty("sessionId").GetString()!;
        var jsonl = await ws.RunAsync("session", "export", sessionId, "--format", "jsonl");
        var markdown = await ws.RunAsync("session", "export", sessionId, "--format", "markdown");
        var audit = await ws.RunAsync("session", "audit", sessionId, "--json");
        Assert.Contains("end of notes", jsonl.Output, StringComparison.Ordinal);
        Assert.Contains("canary-prompt", jsonl.Output, StringComparison.Ordinal);
        var outputs = new Dictionary<string, string> { ["NDJSON stdout"] = run.Output, ["export jsonl"] = jsonl.Output, ["export markdown"] = markdown.Output, ["session audit"] = audit.Output };
        var home = ws.Environment["AGENT_HOME"];
        foreach (var file in Directory.EnumerateFiles(home, "*", SearchOption.AllDirectories))
        {
            outputs[Path.GetRelativePath(home, file)] = Encoding.UTF8.GetString(File.ReadAllBytes(file));
        }

        Assert.Contains(outputs, o => o.Key.StartsWith("sessions.db", StringComparison.Ordinal) && o.Value.Contains("canary-prompt", StringComparison.Ordinal));
        var leaks = (from output in outputs
                     from secret in promptLines.Select(l => ("prompt", l)).Concat(fileLines.Select(l => ("tool output", l)))
                     where SecretCorpusRunTests.Leaks(output.Value, secret.Item2)
                     select $"a private key line of the {secret.Item1} in {output.Key}").Distinct().ToList();
        Assert.True(leaks.Count == 0, "secrets leaked:\n" + string.Join('\n', leaks));
    }
}
