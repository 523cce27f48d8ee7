using AgentHost.Tests.GitTools;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Workflows;

/// <summary>
/// The bundled <c>feature-pipeline</c> workflow (#49, Atomic's pipeline): research → spec → a feature list in a file the
/// workflow ticks → each feature implemented and tested (a failing test fixed in the same round) → a commit → a
/// pull-request description, offline with the scripted model and the real git.
/// </summary>
public sealed class FeaturePipelineTests
{
    [UnixFact]
    public async Task AGoal_BecomesASpec_FeaturesTickedOneByOne_ACommit_AndAPullRequestDescription()
    {
        using var ws = new WorkflowWorkspace();
        GitPluginFixture.GitIn(ws.Root, "init", "-q");
        GitPluginFixture.GitIn(ws.Root, "config", "user.email", "ada@example.com");
        GitPluginFixture.GitIn(ws.Root, "config", "user.name", "Ada");
        // The project's tests: fail while a broken marker is there without its repair.
        File.WriteAllText(Path.Combine(ws.Root, "check.sh"), "test ! -f broken.txt || test -f repaired.txt\n");
        var model = ws.Model("""
            turns:
              - expect: { last_user_contains: "Research this project for the following goal" }
                text: "notes: one shell test script, no features yet"
              - expect: { last_user_contains: "Write the specification" }
                tool_calls:
                  - { name: write, arguments: { path: SPEC.md, content: "# Markers\nTwo marker files.\n" } }
                  - { name: write, arguments: { path: FEATURES.md, content: "# Features\n- [ ] marker a\n- [ ] marker b\n" } }
              - text: spec and feature list written
              - expect: { last_user_contains: "Implement the first feature of FEATURES.md" }
                tool_calls:
                  - { name: write, arguments: { path: a.txt, content: "a" } }
                  - { name: write, arguments: { path: broken.txt, content: "oops" } }
              - text: marker a done
              - expect: { last_user_contains: "The tests failed (exit code 1)" }
                tool_calls: [{ name: write, arguments: { path: repaired.txt, content: "fixed" } }]
              - text: repaired
              - expect: { last_user_contains: "Implement the first feature of FEATURES.md" }
                tool_calls: [{ name: write, arguments: { path: b.txt, content: "b" } }]
              - text: marker b done
              - expect: { last_user_contains: "Write the commit message" }
                text: "Add the two markers\n\nMarker a and marker b, each with its check."
              - expect: { last_user_contains: "Write the pull-request description" }
                tool_calls: [{ name: write, arguments: { path: PR_DESCRIPTION.md, content: "Adds markers a and b." } }]
              - text: "PR: adds markers a and b"
            """);

        var result = await ws.RunAsync(
            "workflow", "run", "feature-pipeline", "--input", "goal=two marker files", "--input", "test_command=sh check.sh", "--model", model);

        Assert.True(result.ExitCode == 0, result.Output + result.Error);
        Assert.Contains("PR: adds markers a and b", result.Output, StringComparison.Ordinal);
        Assert.Contains("Features: 2 round(s), 0 left unticked in FEATURES.md", result.Output, StringComparison.Ordinal);
        Assert.Equal("# Features\n- [x] marker a\n- [x] marker b\n", ws.Read("FEATURES.md"));
        Assert.Equal("Add the two markers", GitPluginFixture.GitIn(ws.Root, "log", "-1", "--format=%s").Trim());
        var committed = GitPluginFixture.GitIn(ws.Root, "show", "--name-only", "--format=", "HEAD").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Superset(new HashSet<string>(["FEATURES.md", "SPEC.md", "a.txt", "b.txt", "broken.txt", "check.sh", "repaired.txt"]), committed.ToHashSet());
        Assert.DoesNotContain("PR_DESCRIPTION.md", committed);
        Assert.Equal("Adds markers a and b.", ws.Read("PR_DESCRIPTION.md"));
        Assert.Contains("?? PR_DESCRIPTION.md", GitPluginFixture.GitIn(ws.Root, "status", "--porcelain"), StringComparison.Ordinal);
    }

    [UnixFact]
    public async Task ASpecWithoutFeatures_StopsTheRun_BeforeAnythingIsImplemented()
    {
        using var ws = new WorkflowWorkspace();
        var model = ws.Model("""
            turns:
              - text: notes
              - tool_calls: [{ name: write, arguments: { path: FEATURES.md, content: "nothing to do\n" } }]
              - text: no features
            """);

        var result = await ws.RunAsync("workflow", "run", "feature-pipeline", "--input", "goal=nothing", "--input", "test_command=true", "--model", model);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("listed", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(ws.Root, "SPEC.md")));
    }
}
