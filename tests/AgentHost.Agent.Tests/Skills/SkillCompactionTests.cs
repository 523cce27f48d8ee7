using AgentHost.Agent.Engine;
using AgentHost.Agent.Skills;
using AgentHost.Sdk.Capabilities;
using AgentHost.Agent.Tests;
using AgentHost.Tests.Agent;
using AgentHost.Tests.Skills;
using AgentHost.Tests.Support;
using Microsoft.Extensions.AI;

namespace AgentHost.Agent.Tests.Skills;

/// <summary>Activated skills' instructions survive compaction of the history that activated them.</summary>
public sealed class SkillCompactionTests
{
    private static readonly ModelDescriptor SmallModel = new("tiny", ContextWindow: 1000, MaxOutputTokens: 200);

    [Fact]
    public async Task Compaction_KeepsActivatedSkillContentVerbatim_AfterTheSummary()
    {
        using var temp = new TempDirectory();
        SkillFiles.Write(temp.Combine("skills"), "changelog", "Write changelog entries.", body: "Always use the Keep a Changelog headings.\n");
        var active = new ActiveSkills(new SkillCatalog([new SkillRoot(temp.Combine("skills"), SkillSource.User, "user")]), temp.Path);
        var block = active.ActivateForModel("changelog");
        await using var harness = new AgentHarness();
        harness.Client.Summary("Goal: write the changelog.").Answer("Continuing.");
        ChatMessage[] history =
        [
            new(ChatRole.User, "update the changelog " + new string('x', 1000)),
            new(ChatRole.Assistant, [ScriptedChatClient.Call("c1", "skill", """{"name":"changelog"}""")]),
            new(ChatRole.Tool, [new FunctionResultContent("c1", block)]),
            new(ChatRole.Assistant, "reading the history " + new string('y', 1000)),
            new(ChatRole.User, "more " + new string('z', 1000)),
            new(ChatRole.Assistant, "ok " + new string('w', 1000)),
        ];

        await harness.RunAsync("continue", r => r with { History = history, Model = SmallModel });

        var sent = harness.Client.Requests.Single();
        var summary = sent[1].Text;
        Assert.Contains("Goal: write the changelog.", summary, StringComparison.Ordinal);
        Assert.Contains(ConversationCompactor.ActiveSkillsHeading, summary, StringComparison.Ordinal);
        Assert.Contains(block, summary, StringComparison.Ordinal);
        Assert.DoesNotContain(sent.Skip(2), m => m.Contents.OfType<FunctionResultContent>().Any());
    }
}
