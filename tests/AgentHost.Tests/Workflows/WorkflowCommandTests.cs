using System.Text.Json;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Workflows;

/// <summary>`agent workflow list|validate|show` as real processes.</summary>
public sealed class WorkflowCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public WorkflowCommandTests()
    {
        Directory.CreateDirectory(Project);
        Directory.CreateDirectory(_temp.Combine("home"));
    }

    private string Project => _temp.Combine("project");

    private string AgentHome => _temp.Combine("agent-home");

    private Dictionary<string, string> Environment => new()
    {
        ["AGENT_HOME"] = AgentHome,
        ["HOME"] = _temp.Combine("home"),
        ["USERPROFILE"] = _temp.Combine("home"),
        ["XDG_CONFIG_HOME"] = _temp.Combine("xdg"),
        ["CI"] = "true",
    };

    public void Dispose() => _temp.Dispose();

    private static string Simple(string name, string description) =>
        $"name: {name}\ndescription: {description}\nnodes:\n  - id: a\n    kind: shell\n    command: echo hi\n";

    [Fact]
    public async Task List_ShowsProjectUserPluginAndBundledWorkflows_InPrecedenceOrder_WithShadowedAndInvalidOnes()
    {
        var review = _temp.WriteFile("project/.agents/workflows/review.yaml", Simple("parallel-review", "project copy"));
        var broken = _temp.WriteFile("project/.agents/workflows/broken.yaml", "name: broken\nnodes:\n  - id: a\n    kind: shel\n");
        _temp.WriteFile("agent-home/workflows/mine.yml", Simple("mine", "user flow"));
        _temp.WriteFile("kit/plugin.yaml", "id: flows-kit\nversion: 1.0.0\ndescription: Workflows only\nsdk: \"^1.0\"\nworkflows: flows\n");
        var fromKit = _temp.WriteFile("kit/flows/p.yaml", Simple("from-plugin", "plugin flow"));
        // A trusted project's workflow takes a bundled one's name (an untrusted project's never does: WorkflowShellSafetyTests).
        var trusted = await AgentProcess.RunAsync(Project, Environment, "trust");
        Assert.True(trusted.ExitCode == ExitCodes.Success, trusted.Error);

        var text = await AgentProcess.RunAsync(Project, Environment, "workflow", "list", "-p", _temp.Combine("kit"));
        var json = await AgentProcess.RunAsync(Project, Environment, "workflow", "list", "--json", "-p", _temp.Combine("kit"));

        Assert.True(text.ExitCode == ExitCodes.Success, text.Output + text.Error);
        var lines = text.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches(@"^NAME\s+SOURCE\s+DESCRIPTION$", lines[0]);
        Assert.Matches(@"^broken\s+project\s+\(invalid: 1 problem, below\)$", lines[1]);
        Assert.Matches(@"^parallel-review\s+project\s+project copy$", lines[2]);
        Assert.Matches(@"^mine\s+user\s+user flow$", lines[3]);
        Assert.Matches(@"^from-plugin\s+plugin flows-kit\s+plugin flow$", lines[4]);
        Assert.Matches(@"^feature-pipeline\s+bundled\s+From a goal to a pull request", lines[5]);
        Assert.Matches(@"^implement-test-fix\s+bundled\s+Implement a change", lines[6]);
        Assert.Matches(@"^parallel-review\s+bundled\s+\(shadowed by project: " + System.Text.RegularExpressions.Regex.Escape(review) + @"\)$", lines[7]);
        Assert.Contains(
            $"  {broken}:4: field 'a.kind': 'shel' is not a node kind. Did you mean 'shell'? Use one of: agent, tool, shell, decision, loop, parallel, wait, workflow.",
            lines);

        Assert.True(json.ExitCode == ExitCodes.Success, json.Error);
        var entries = JsonDocument.Parse(json.Output).RootElement.EnumerateArray().ToList();
        Assert.Equal(
            ["broken project invalid", "parallel-review project ok", "mine user ok", "from-plugin plugin ok", "feature-pipeline bundled ok", "implement-test-fix bundled ok", "parallel-review bundled shadowed"],
            entries.Select(e => $"{e.GetProperty("name").GetString()} {e.GetProperty("source").GetString()} {e.GetProperty("status").GetString()}"));
        Assert.Equal("flows-kit", entries[3].GetProperty("plugin").GetString());
        Assert.Equal(fromKit, entries[3].GetProperty("path").GetString());
        Assert.Equal(review, entries[6].GetProperty("shadowedBy").GetString());
        Assert.Single(entries[0].GetProperty("problems").EnumerateArray());
    }

    [Fact]
    public async Task List_ShowsAWorkflowAPluginBuildsInCSharp()
    {
        var list = await AgentProcess.RunAsync(Project, Environment, "workflow", "list", "-p", Fixtures.PathOf("Fixture.Echo"));
        var show = await AgentProcess.RunAsync(Project, Environment, "workflow", "show", "echo-twice", "-p", Fixtures.PathOf("Fixture.Echo"));
        var without = await AgentProcess.RunAsync(Project, Environment, "workflow", "list");

        Assert.True(list.ExitCode == ExitCodes.Success, list.Output + list.Error);
        Assert.Matches(@"(?m)^echo-twice\s+plugin fixture-echo\s+Echoes a text with the echo tool, then asks an agent to repeat it$", list.Output);
        Assert.True(show.ExitCode == ExitCodes.Success, show.Output + show.Error);
        Assert.Contains("source: plugin fixture-echo (plugin 'fixture-echo' workflow 'echo-twice')", show.Output, StringComparison.Ordinal);
        Assert.Contains("  first [tool]\n    tool: echo\n    arguments: {\"text\":\"{{ inputs.text }}\"}\n  repeat [agent]\n", show.Output.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.DoesNotContain("echo-twice", without.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_PrintsOkOrEveryProblemWithFileAndLine_AndExits3WhenAnyIsInvalid()
    {
        var good = _temp.WriteFile("project/flows/good.yaml", Simple("good", "fine"));
        var bad = _temp.WriteFile("project/flows/bad.yaml", """
            name: bad
            inputs:
              task: { type: string }
            nodes:
              - id: build
                kind: agent
                prompt: "{{ inputs.tsak }}"
              - id: verify
                kind: loop
                max_iterations: 0
                nodes:
                  - id: test
                    kind: shell
                    command: make test
                    next: build
            """);

        var ok = await AgentProcess.RunAsync(Project, Environment, "workflow", "validate", "flows/good.yaml", "implement-test-fix");
        var invalid = await AgentProcess.RunAsync(Project, Environment, "workflow", "validate", "flows/good.yaml", "flows/bad.yaml");
        var missing = await AgentProcess.RunAsync(Project, Environment, "workflow", "validate", "no-such-flow");

        Assert.True(ok.ExitCode == ExitCodes.Success, ok.Output + ok.Error);
        Assert.Equal([$"ok: good ({good})", "ok: implement-test-fix (bundled/implement-test-fix.yaml)"], ok.Output.ReplaceLineEndings("\n").TrimEnd().Split('\n'));
        Assert.Equal(ExitCodes.Configuration, invalid.ExitCode);
        Assert.Equal(
            [
                $"ok: good ({good})",
                $"{bad}:7: field 'build.prompt': 'inputs.tsak' names no input of this workflow. Did you mean 'task'? Declare it under 'inputs:' (declared: task).",
                $"{bad}:10: field 'verify.max_iterations': must be from 1 to 100, found 0. Give the loop a bound from 1 to 100 ('max_iterations: 3').",
                $"{bad}:15: field 'test.next': 'build' is in the workflow's nodes, not in the body of loop 'verify'. Edges stay inside their own nodes list; go to a node of the same list, or end.",
            ],
            invalid.Output.ReplaceLineEndings("\n").TrimEnd().Split('\n'));
        Assert.Equal(ExitCodes.NotFound, missing.ExitCode);
        Assert.Contains("no workflow named 'no-such-flow'", missing.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Show_ImplementTestFix_AsIndentedText()
    {
        var show = await AgentProcess.RunAsync(Project, Environment, "workflow", "show", "implement-test-fix");

        Assert.True(show.ExitCode == ExitCodes.Success, show.Output + show.Error);
        var text = show.Output.ReplaceLineEndings("\n");
        Assert.StartsWith("implement-test-fix — Implement a change, then run the tests and fix the code until they pass (at most 3 rounds)\nsource: bundled (bundled/implement-test-fix.yaml)\n", text, StringComparison.Ordinal);
        Assert.Contains("inputs:\n  task (string, required) — What to implement\n  test_command (string, default \"dotnet test\")", text, StringComparison.Ordinal);
        Assert.Contains("budget: max_steps 80, max_time 1h\n", text, StringComparison.Ordinal);
        Assert.Contains(
            """
            nodes:
              implement [agent] — Make the change
                prompt: Implement the following in this project:…
                permission_mode: accept-edits
              verify [loop] — Run the tests; when they fail, fix the code and run them again
                max_iterations: 3
                until: nodes.test.exit_code == 0
                body:
                  test [shell] — Run the tests
                    command: eval "$AGENT_INPUT_TEST_COMMAND"
                    timeout: 20m
                    → end when nodes.test.exit_code == 0
                    → fix otherwise
                  fix [agent] — Fix what the tests report, in the implement conversation
                    continue: implement
            """.ReplaceLineEndings("\n"),
            text,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task Show_ParallelReview_AsTextAndAsMermaid()
    {
        var text = await AgentProcess.RunAsync(Project, Environment, "workflow", "show", "parallel-review");
        var mermaid = await AgentProcess.RunAsync(Project, Environment, "workflow", "show", "parallel-review", "--mermaid");

        Assert.True(text.ExitCode == ExitCodes.Success, text.Output + text.Error);
        var output = text.Output.ReplaceLineEndings("\n");
        Assert.Contains("  review [parallel] — Three reviewers, each with one focus\n    branch correctness:\n      correctness [agent]\n", output, StringComparison.Ordinal);
        Assert.Contains("    branch security:\n      security [agent]\n", output, StringComparison.Ordinal);
        Assert.Contains("    branch readability:\n      readability [agent]\n", output, StringComparison.Ordinal);
        Assert.Contains("  summarise [agent] — Merge the three reviews into one\n", output, StringComparison.Ordinal);

        Assert.True(mermaid.ExitCode == ExitCodes.Success, mermaid.Output + mermaid.Error);
        Assert.Equal(
            """
            flowchart TD
              start(["start: parallel-review"])
              finish(["end"])
              n1["diff: shell"]
              subgraph n2 ["review: parallel"]
                direction LR
                subgraph n2_b1 ["branch correctness"]
                  direction TB
                  n3["correctness: agent"]
                end
                subgraph n2_b2 ["branch security"]
                  direction TB
                  n4["security: agent"]
                end
                subgraph n2_b3 ["branch readability"]
                  direction TB
                  n5["readability: agent"]
                end
              end
              n6["summarise: agent"]
              n1 --> n2
              n2 --> n6
              n6 --> finish
              start --> n1

            """.ReplaceLineEndings("\n"),
            mermaid.Output.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task Show_ImplementTestFix_AsMermaid_WithTheLoopAsASubgraphAndLabelledConditions()
    {
        var mermaid = await AgentProcess.RunAsync(Project, Environment, "workflow", "show", "implement-test-fix", "--mermaid");

        Assert.True(mermaid.ExitCode == ExitCodes.Success, mermaid.Output + mermaid.Error);
        Assert.Equal(
            """
            flowchart TD
              start(["start: implement-test-fix"])
              finish(["end"])
              n1["implement: agent"]
              subgraph n2 ["verify: loop, at most 3, until nodes.test.exit_code == 0"]
                direction TB
                n3["test: shell"]
                n4["fix: agent"]
                n3_end(["end"])
                n3 -->|"nodes.test.exit_code == 0"| n3_end
                n3 -->|"otherwise"| n4
              end
              n1 --> n2
              n2 --> finish
              start --> n1

            """.ReplaceLineEndings("\n"),
            mermaid.Output.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task Show_Mermaid_QuotesLabels_AndEscapesQuotesAndAngleBrackets()
    {
        _temp.WriteFile("project/q.yaml", """
            name: quoting
            nodes:
              - id: end-check
                kind: decision
                next:
                  - when: nodes.end-check.choice == "a<b>" or nodes.end-check.choice == 'x#y'
                    to: end
              - id: ask
                kind: wait
                question: Why?
            """);

        var mermaid = await AgentProcess.RunAsync(Project, Environment, "workflow", "show", "q.yaml", "--mermaid");

        Assert.True(mermaid.ExitCode == ExitCodes.Success, mermaid.Output + mermaid.Error);
        var output = mermaid.Output.ReplaceLineEndings("\n");
        Assert.Contains("  n1{\"end-check: decision\"}\n", output, StringComparison.Ordinal);
        Assert.Contains("  n2[/\"ask: wait\"/]\n", output, StringComparison.Ordinal);
        Assert.Contains("  n1 -->|\"nodes.end-check.choice == #quot;a#lt;b#gt;#quot; or nodes.end-check.choice == 'x#35;y'\"| finish\n", output, StringComparison.Ordinal);
        Assert.Contains("  n1 -->|\"otherwise\"| n2\n", output, StringComparison.Ordinal);
        Assert.Contains("  n2 --> finish\n", output, StringComparison.Ordinal);
    }

    [MermaidFact]
    public async Task Show_Mermaid_IsAcceptedByTheRealMermaidParser_ForEveryNodeKind()
    {
        _temp.WriteFile("project/every.yaml", """
            name: every-kind
            inputs:
              q: { type: string, default: "say \"hi\" <now>" }
            nodes:
              - id: end-check
                kind: decision
                next:
                  - when: inputs.q contains '"' or inputs.q == 'x#y|z'
                    to: end
              - id: ask
                kind: wait
                question: "{{ inputs.q }}"
              - id: read
                kind: tool
                tool: read_file
                arguments: { path: README.md }
              - id: verify
                kind: loop
                max_iterations: 2
                until: nodes.test.exit_code == 0
                nodes:
                  - id: test
                    kind: shell
                    command: "true"
                    next:
                      - when: nodes.test.exit_code == 0
                        to: end
                  - id: fix
                    kind: agent
                    prompt: fix
              - id: fan
                kind: parallel
                branches:
                  a-1:
                    - id: left
                      kind: agent
                      prompt: left
                  b:
                    - id: right
                      kind: shell
                      command: "true"
              - id: inline
                kind: workflow
                inputs: { t: "{{ nodes.ask.answer }}" }
                nodes:
                  - id: inner
                    kind: agent
                    prompt: "{{ inputs.t }}"
              - id: sub
                kind: workflow
                workflow: implement-test-fix
                inputs: { task: "{{ nodes.ask.answer }}" }
            """);

        foreach (var target in new[] { "every.yaml", "implement-test-fix", "parallel-review" })
        {
            var show = await AgentProcess.RunAsync(Project, Environment, "workflow", "show", target, "--mermaid");
            Assert.True(show.ExitCode == ExitCodes.Success, show.Output + show.Error);
            var file = _temp.WriteFile($"diagrams/{target}.mmd", show.Output);

            var (exitCode, output) = await MermaidParser.ParseAsync(file);

            Assert.True(exitCode == 0, output + "\n" + show.Output);
            Assert.Contains(": ok (flowchart-v2)", output, StringComparison.Ordinal);
        }
    }
}
