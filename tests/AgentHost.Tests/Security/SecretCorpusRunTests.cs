using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentHost.Hosting.Security;
using AgentHost.Tests.Runs;

namespace AgentHost.Tests.Security;

/// <summary>
/// End to end: a real <c>agent run -o json</c> whose prompt, tool arguments, tool result (a view of a file holding the
/// corpus) and streamed answer all carry every fake secret; no secret may reach the database, the log, an export or
/// the NDJSON events.
/// </summary>
public sealed class SecretCorpusRunTests
{
    [Fact]
    public async Task Run_NeverWritesASecret_ToTheDatabaseLogExportsOrNdjson()
    {
        using var ws = new RunWorkspace();
        var samples = SecretCorpus.Create();
        File.WriteAllText(Path.Combine(ws.Root, "secrets.txt"), "canary-first-line\n" + SecretCorpus.Document(samples));
        var github = samples.Single(s => s.Format == "GitHub ghp_ token").Values[0];
        var script = new JsonObject
        {
            ["turns"] = new JsonArray(
                new JsonObject
                {
                    ["text"] = "Reading the file. Your key: aws_secret_access_key = " + samples.Single(s => s.Format == "AWS environment variable").Values[0],
                    ["tool_calls"] = new JsonArray(
                        new JsonObject { ["name"] = "view", ["arguments"] = new JsonObject { ["path"] = "secrets.txt" } },
                        new JsonObject { ["name"] = "grep", ["arguments"] = new JsonObject { ["pattern"] = github, ["literal"] = true } }),
                },
                new JsonObject
                {
                    ["expect"] = new JsonObject { ["tool_results_contain"] = new JsonArray("canary-first-line", github) },
                    ["text"] = "Here is everything I found:\n\n" + SecretCorpus.Document(samples),
                }),
        };
        var scriptPath = ws.WriteScript(script.ToJsonString());

        var run = await ws.RunAsync("run", "check this token " + github, "-p", "scripted", "-p", "files", "-m", "scripted/" + scriptPath, "-o", "json", "--log-level", "trace");

        Assert.True(run.ExitCode == ExitCodes.Success, run.Error + run.Output);
        var events = RunWorkspace.Events(run.Output);
        var sessionId = events.First(e => e.GetProperty("type").GetString() == "run.started").GetProperty("sessionId").GetString()!;
        Assert.Contains(events, e => e.GetProperty("type").GetString() == "tool.completed" && e.GetProperty("tool").GetString() == "view" && e.GetProperty("status").GetString() == "succeeded");
        var answer = string.Concat(events.Where(e => e.GetProperty("type").GetString() == "message.delta").Select(e => e.GetProperty("text").GetString()));
        Assert.Contains("Here is everything I found", answer, StringComparison.Ordinal);
        Assert.Contains(SecretScrubber.Mask, answer, StringComparison.Ordinal);

        var jsonl = await ws.RunAsync("session", "export", sessionId, "--format", "jsonl");
        var markdown = await ws.RunAsync("session", "export", sessionId, "--format", "markdown");
        Assert.True(jsonl.ExitCode == ExitCodes.Success, jsonl.Error);
        Assert.True(markdown.ExitCode == ExitCodes.Success, markdown.Error);
        Assert.Contains("canary-first-line", jsonl.Output, StringComparison.Ordinal);
        Assert.Contains("canary-first-line", markdown.Output, StringComparison.Ordinal);

        var home = ws.Environment["AGENT_HOME"];
        var files = Directory.EnumerateFiles(home, "*", SearchOption.AllDirectories).ToList();
        Assert.Contains(files, f => Path.GetFileName(f) == "sessions.db");
        Assert.Contains(files, f => Path.GetFileName(f) == "agent.log");
        var outputs = new Dictionary<string, string>
        {
            ["NDJSON stdout"] = run.Output + JsonStrings(run.Output),
            ["stderr"] = run.Error,
            ["export jsonl"] = jsonl.Output + JsonStrings(jsonl.Output),
            ["export markdown"] = markdown.Output,
        };
        foreach (var file in files)
        {
            // The database (and its WAL), the log, anything else the run left in the data directory, byte for byte.
            var text = Encoding.UTF8.GetString(File.ReadAllBytes(file));
            outputs[Path.GetRelativePath(home, file)] = file.EndsWith(".log", StringComparison.Ordinal) ? text + JsonStrings(text) : text;
        }

        Assert.Contains(outputs, o => o.Value.Contains("canary-first-line", StringComparison.Ordinal) && o.Key.Contains("sessions.db", StringComparison.Ordinal));
        var leaks = (from output in outputs
                     from sample in samples
                     from value in sample.Values
                     where Leaks(output.Value, value)
                     select $"{sample.Format} in {output.Key}").Distinct().ToList();
        Assert.True(leaks.Count == 0, "secrets leaked:\n" + string.Join('\n', leaks));
    }

    /// <summary>Whether <paramref name="output"/> holds the value or its middle, raw or JSON-escaped (a '+' becomes \u002B).</summary>
    internal static bool Leaks(string output, string value)
    {
        var middle = value.Length > 24 ? value.Substring((value.Length / 2) - 8, 16) : value;
        return new[] { value, middle }
            .SelectMany(v => new[] { v, JsonEncodedText.Encode(v).ToString() })
            .Any(v => output.Contains(v, StringComparison.Ordinal));
    }

    /// <summary>Every string value of every JSON line, decoded, one per line (so escapes cannot hide a secret).</summary>
    private static string JsonStrings(string ndjson)
    {
        var builder = new StringBuilder();
        foreach (var line in ndjson.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            JsonNode? node;
            try
            {
                node = JsonNode.Parse(line);
            }
            catch (JsonException)
            {
                continue;
            }

            Collect(node, builder);
        }

        return builder.ToString();
    }

    private static void Collect(JsonNode? node, StringBuilder builder)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (_, child) in obj)
                {
                    Collect(child, builder);
                }

                break;
            case JsonArray array:
                foreach (var child in array)
                {
                    Collect(child, builder);
                }

                break;
            case JsonValue value when value.TryGetValue<string>(out var text):
                builder.Append('\n').Append(text);
                break;
        }
    }
}
