using AgentHost.Agent.Context;
using AgentHost.Agent.Service;
using AgentHost.Hosting;
using AgentHost.Hosting.Capabilities;
using AgentHost.Tests.Support;

namespace AgentHost.Agent.Tests.Context;

/// <summary>A client's attachments (<see cref="PromptAttachment"/>: an ACP editor's links, embedded text and images) follow the rules of <c>@file</c>.</summary>
public sealed class ContextAttachmentTests
{
    private static readonly byte[] Png = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D];

    [Fact]
    public async Task Attachments_AreReadCappedAndLabelled_LikeFileReferences()
    {
        using var temp = new TempDirectory();
        temp.WriteFile("ws/notes.txt", "NOTES");
        var root = temp.Combine("ws");
        var expander = new ContextReferenceExpander(root, new CapabilityRegistry(), new ContextLimits { MaxCharacters = 100, MaxImageBytes = 64 });

        var expanded = await expander.ExpandAsync(
            "Compare @notes.txt",
            [],
            [],
            [
                new PromptAttachment(new Uri(Path.Combine(root, "notes.txt")).AbsoluteUri),
                new PromptAttachment(new Uri(Path.Combine(root, "draft.md")).AbsoluteUri + "#L1:2") { Text = "HEAD" + new string('x', 500) + "TAIL" },
                new PromptAttachment("untitled:scratch") { Text = "SCRATCH" },
                new PromptAttachment(null) { ImageData = Png },
            ]);

        // The link and the inline @notes.txt are one reference; the unsaved draft is capped head and tail.
        Assert.Equal(["notes.txt", "draft.md", "untitled:scratch", "image 4"], expanded.References.Select(r => r.Reference));
        Assert.Equal("NOTES", expanded.References[0].Content);
        Assert.True(expanded.References[1].Truncated);
        Assert.StartsWith("HEAD", expanded.References[1].Content, StringComparison.Ordinal);
        Assert.EndsWith("TAIL", expanded.References[1].Content, StringComparison.Ordinal);
        Assert.Equal("SCRATCH", expanded.References[2].Content);
        Assert.Equal("image/png", Assert.Single(expanded.Images).MediaType);
    }

    [Fact]
    public async Task Attachments_ThatBreakARule_AreRefused_NamingThem()
    {
        using var temp = new TempDirectory();
        temp.WriteFile("outside.txt", "OUTSIDE");
        temp.WriteFile("ws/secret.env", "ignored");
        temp.WriteFile("ws/.agentignore", "secret.env\n");
        var root = temp.Combine("ws");
        File.CreateSymbolicLink(Path.Combine(root, "link.txt"), temp.Combine("outside.txt"));
        var expander = new ContextReferenceExpander(root, new CapabilityRegistry(), new ContextLimits { MaxImageBytes = 64 });

        async Task<string> Refused(PromptAttachment attachment) =>
            (await Assert.ThrowsAsync<AgentHostException>(() => expander.ExpandAsync("x", [], [], [attachment]))).Message;

        // A link inside the root that leads out of it is outside (as @file's), even with the editor's text.
        Assert.Contains("is outside the project root", await Refused(new PromptAttachment(new Uri(Path.Combine(root, "link.txt")).AbsoluteUri)), StringComparison.Ordinal);
        Assert.Contains("is outside the project root", await Refused(new PromptAttachment(new Uri(Path.Combine(root, "link.txt")).AbsoluteUri) { Text = "x" }), StringComparison.Ordinal);
        Assert.Contains("excluded by the project's .agentignore", await Refused(new PromptAttachment(new Uri(Path.Combine(root, "secret.env")).AbsoluteUri) { Text = "x" }), StringComparison.Ordinal);
        Assert.Contains("there is no file missing.txt", await Refused(new PromptAttachment(new Uri(Path.Combine(root, "missing.txt")).AbsoluteUri)), StringComparison.Ordinal);
        Assert.Contains("over the 64 B limit per image", await Refused(new PromptAttachment(null) { ImageData = new byte[100] }), StringComparison.Ordinal);
        Assert.Contains("not a PNG, JPEG, GIF or WebP image", await Refused(new PromptAttachment("file:///shot.png") { ImageData = new byte[10] }), StringComparison.Ordinal);
        Assert.Contains("only file: and http(s): links can be read", await Refused(new PromptAttachment("ftp://example.invalid/x")), StringComparison.Ordinal);
        Assert.Contains("attachment https://example.invalid/x: it was not fetched", await Refused(new PromptAttachment("https://example.invalid/x")), StringComparison.Ordinal);
    }
}
