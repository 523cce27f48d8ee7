using System.Text.Json.Nodes;
using AgentHost.Tests.Runs;

namespace AgentHost.Acp.Tests;

/// <summary>
/// <c>session/prompt</c>'s content blocks (text, <c>resource_link</c>, embedded <c>resource</c>, <c>image</c>) reach
/// the model under the rules of <c>@file</c>, what breaks a rule is refused naming the block, a file edit comes back as
/// <c>diff</c> tool call content, usage as
/// <c>usage_update</c> and an answer cut at the output limit as <c>max_tokens</c>; through the official SDK, every
/// message valid against the schema.
/// </summary>
public sealed class AcpContentTests
{
    // The smallest PNG header ImageFormats recognises, padded.
    private static readonly byte[] Png = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, 0, 0, 0, 0];

    [AcpFact]
    public async Task Prompt_TakesLinksEmbeddedTextAndImages_RefusesWhatFileReferencesRefuse_AndReportsEditsAsDiffsUsageAndMaxTokens()
    {
        using var workspace = new RunWorkspace();
        Directory.CreateDirectory(workspace.Root);
        File.WriteAllText(Path.Combine(workspace.Root, "notes.txt"), "LINKED-NOTES");
        File.WriteAllText(Path.Combine(workspace.Root, "secret.txt"), "ignored");
        File.WriteAllText(Path.Combine(workspace.Root, ".agentignore"), "secret.txt\n");
        var outside = workspace.Combine("outside.txt");
        File.WriteAllText(outside, "OUTSIDE-THE-ROOT");
        // The editor's permission prompts are another part of ACP: here edits are allowed by the mode.
        workspace.WriteUserConfig("permissions:\n  mode: accept-edits\n");
        var notes = new Uri(Path.Combine(workspace.Root, "notes.txt")).AbsoluteUri;
        var draft = new Uri(Path.Combine(workspace.Root, "draft.md")).AbsoluteUri;
        var script = workspace.WriteScript("""
            turns:
              - expect:
                  last_user_contains: "LINKED-NOTES\n</context>\n\n<context ref=\"draft.md\" kind=\"file\">\nUNSAVED-DRAFT\n</context>\n\n<context ref=\"image 3\" kind=\"image\">\n[image: (unnamed), image/png"
                text: Both read.
              - expect:
                  last_user_contains: "characters truncated"
                tool_calls:
                  - name: view
                    arguments: { path: notes.txt }
              - tool_calls:
                  - name: edit
                    arguments: { path: notes.txt, old_string: LINKED-NOTES, new_string: EDITED-NOTES }
              - text: Edited.
              - text: An answer the output limit cut
                finish: length
            """);
        JsonNode Prompt(params JsonNode[] blocks) => new JsonArray(blocks);
        JsonObject Text(string text) => new() { ["type"] = "text", ["text"] = text };
        JsonObject Link(string uri) => new() { ["type"] = "resource_link", ["uri"] = uri, ["name"] = Path.GetFileName(new Uri(uri).LocalPath) };
        JsonObject Image(byte[] data) => new() { ["type"] = "image", ["mimeType"] = "image/png", ["data"] = Convert.ToBase64String(data) };
        JsonObject PromptStep(JsonNode prompt) => new() { ["op"] = "prompt", ["session"] = "$session", ["prompt"] = prompt };

        var run = await AcpClient.RunAsync(
            workspace,
            [
                new JsonObject { ["op"] = "initialize" },
                new JsonObject { ["op"] = "request", ["method"] = "session/new", ["params"] = new JsonObject { ["cwd"] = workspace.Root, ["mcpServers"] = new JsonArray() }, ["save"] = new JsonObject { ["session"] = "sessionId" } },
                PromptStep(Prompt(
                    Text("Compare "),
                    Link(notes),
                    Text(" with "),
                    new JsonObject { ["type"] = "resource", ["resource"] = new JsonObject { ["uri"] = draft, ["mimeType"] = "text/markdown", ["text"] = "UNSAVED-DRAFT" } },
                    Image(Png))),
                PromptStep(Prompt(Text("Read "), Link(new Uri(outside).AbsoluteUri))),
                PromptStep(Prompt(Text("Look"), Image("not an image at all"u8.ToArray()))),
                PromptStep(Prompt(Text("Read "), Link(new Uri(Path.Combine(workspace.Root, "secret.txt")).AbsoluteUri))),
                PromptStep(Prompt(Text("Look"), Image([.. Png, .. new byte[(5 * 1024 * 1024) + 1]]))),
                PromptStep(Prompt(new JsonObject { ["type"] = "audio", ["mimeType"] = "audio/wav", ["data"] = "AAAA" })),
                PromptStep(Prompt(
                    Text("Edit the notes; the big file is context."),
                    new JsonObject { ["type"] = "resource", ["resource"] = new JsonObject { ["uri"] = "untitled:big", ["text"] = new string('x', 150_000) } })),
                PromptStep(Prompt(Text("Say a lot"))),
            ],
            args: ["--plugin", "scripted", "--model", "scripted/" + script]);

        Assert.True(run.ExitCode == 0, $"agent acp exited {run.ExitCode}: {run.Stderr}");
        var prompt = run.Step(0)["result"]!["agentCapabilities"]!["promptCapabilities"]!;
        Assert.True((bool)prompt["image"]!);
        Assert.True((bool)prompt["embeddedContext"]!);
        Assert.False((bool)prompt["audio"]!);

        var attached = run.Step(2);
        Assert.True(attached["error"] is null, $"the prompt with attachments failed: {attached["error"]?.ToJsonString()}\n{run.Stderr}");
        Assert.Equal("end_turn", (string?)attached["result"]!["stopReason"]);
        var usage = run.Updates(2).Last(u => (string?)u["sessionUpdate"] == "usage_update");
        Assert.True((long)usage["used"]! > 0, usage.ToJsonString());
        Assert.Equal(200_000, (long)usage["size"]!); // the scripted model's context window

        AcpAssert.Error(run.Step(3), -32602, "outside the session's root");
        Assert.DoesNotContain("OUTSIDE-THE-ROOT", string.Join("\n", run.Transcript.Select(t => (string?)t["line"])));
        AcpAssert.Error(run.Step(4), -32600, "not a PNG, JPEG, GIF or WebP image");
        AcpAssert.Error(run.Step(5), -32600, "excluded by the project's .agentignore");
        AcpAssert.Error(run.Step(6), -32600, "over the 5 MB limit per image");
        AcpAssert.Error(run.Step(7), -32602, "'audio' block");

        var edited = run.Step(8);
        Assert.True(edited["error"] is null, $"the edit prompt failed: {edited["error"]?.ToJsonString()}\n{run.Stderr}");
        Assert.Equal("end_turn", (string?)edited["result"]!["stopReason"]);
        var diff = run.Updates(8).Where(u => (string?)u["sessionUpdate"] == "tool_call_update" && u["content"] is JsonArray)
            .SelectMany(u => u["content"]!.AsArray()).Single(c => (string?)c!["type"] == "diff")!;
        Assert.Equal(Path.Combine(workspace.Root, "notes.txt"), (string?)diff["path"]);
        Assert.Equal("LINKED-NOTES", (string?)diff["oldText"]);
        Assert.Equal("EDITED-NOTES", (string?)diff["newText"]);

        // The answer was cut at the model's output limit: the turn ends with max_tokens.
        Assert.Equal("max_tokens", (string?)run.Step(9)["result"]?["stopReason"]);

        Assert.Empty(AcpSchema.Problems(run));
    }
}
