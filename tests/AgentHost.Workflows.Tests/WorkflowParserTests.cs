using System.Text.Json.Nodes;
using AgentHost.Hosting;
using AgentHost.Workflows.Model;
using AgentHost.Workflows.Parsing;

namespace AgentHost.Workflows.Tests;

/// <summary>Reading workflow files into the model: every field of every kind, and the canonical document.</summary>
public sealed class WorkflowParserTests
{
    internal const string Example = """
        name: implement-test-fix
        description: Implement a change, then run the tests and fix until they pass
        inputs:
          task: { type: string, required: true, description: What to implement }
          test_command: { type: string, default: dotnet test }
          attempts: { type: integer, default: 3 }
        model: openai/gpt-5-mini
        plugins: [git]
        budget:
          max_steps: 60
          max_time: 1h30m
          max_cost: 2.50
        output: "{{ nodes.implement.text }}"
        nodes:
          - id: implement
            kind: agent
            prompt: "Implement: {{ inputs.task }}"
            permission_mode: accept-edits
          - id: verify
            kind: loop
            max_iterations: 3
            until: nodes.test.exit_code == 0
            nodes:
              - id: test
                kind: shell
                command: eval "$AGENT_INPUT_TEST_COMMAND"
                next:
                  - when: nodes.test.exit_code == 0
                    to: end
              - id: fix
                kind: agent
                continue: implement
                prompt: |
                  The tests failed:
                  {{ nodes.test.output }}
                  Fix the code.
        """;

    private static readonly WorkflowSource Source = new(WorkflowSourceKind.File, "wf.yaml");

    [Fact]
    public void Parse_ReadsTheDocumentedExample()
    {
        var definition = WorkflowParser.Parse(Example, Source);

        Assert.Equal("implement-test-fix", definition.Name);
        Assert.Equal("Implement a change, then run the tests and fix until they pass", definition.Description);
        Assert.Equal(["task", "test_command", "attempts"], definition.Inputs.Select(i => i.Name));
        Assert.True(definition.Inputs[0].Required);
        Assert.Equal("What to implement", definition.Inputs[0].Description);
        Assert.Equal("dotnet test", definition.Inputs[1].Default!.GetValue<string>());
        Assert.Equal(WorkflowValueType.Integer, definition.Inputs[2].Type);
        Assert.Equal(3, definition.Inputs[2].Default!.GetValue<long>());
        Assert.Equal("openai/gpt-5-mini", definition.Model);
        Assert.Equal(["git"], definition.Plugins);
        Assert.Equal(new WorkflowBudget(60, TimeSpan.FromMinutes(90), 2.50m), definition.Budget);
        Assert.Equal("{{ nodes.implement.text }}", definition.Output);
        Assert.Same(Source, definition.Source);

        var implement = Assert.IsType<AgentNode>(definition.Nodes.Nodes[0]);
        Assert.Equal("Implement: {{ inputs.task }}", implement.Prompt);
        Assert.Equal("accept-edits", implement.PermissionMode);
        Assert.Equal(15, implement.Line);
        var loop = Assert.IsType<LoopNode>(definition.Nodes.Nodes[1]);
        Assert.Equal(3, loop.MaxIterations);
        Assert.Equal("nodes.test.exit_code == 0", loop.Until);
        Assert.False(loop.ContinueWhenExhausted);
        var test = Assert.IsType<ShellNode>(loop.Body.Nodes[0]);
        Assert.Equal("eval \"$AGENT_INPUT_TEST_COMMAND\"", test.Command);
        Assert.Equal(ShellNode.DefaultTimeout, test.Timeout);
        Assert.Equal([new WorkflowEdge("end", "nodes.test.exit_code == 0")], test.Next);
        var fix = Assert.IsType<AgentNode>(loop.Body.Nodes[1]);
        Assert.Equal("implement", fix.Continue);
        Assert.Equal("The tests failed:\n{{ nodes.test.output }}\nFix the code.", fix.Prompt);
    }

    [Fact]
    public void Document_IsTheWholeFileAsJson_AndFromDocumentReadsItBack()
    {
        var definition = WorkflowParser.Parse(Example, Source);

        var document = definition.Document;
        Assert.Equal("implement-test-fix", document["name"]!.GetValue<string>());
        Assert.Equal(2.50m, document["budget"]!["max_cost"]!.GetValue<decimal>());
        Assert.True(document["inputs"]!["task"]!["required"]!.GetValue<bool>());
        Assert.Equal("nodes.test.exit_code == 0", document["nodes"]![1]!["nodes"]![0]!["next"]![0]!["when"]!.GetValue<string>());

        var again = WorkflowParser.FromDocument(document, new WorkflowSource(WorkflowSourceKind.Plugin, "plugin 'demo'"));
        Assert.Equal(definition.Name, again.Name);
        Assert.Equal(definition.Budget, again.Budget);
        Assert.Equal(definition.Inputs.Select(i => (i.Name, i.Type, i.Required)), again.Inputs.Select(i => (i.Name, i.Type, i.Required)));
        Assert.Equal(((LoopNode)definition.Nodes.Nodes[1]).Body.Nodes.Select(n => n.Id), ((LoopNode)again.Nodes.Nodes[1]).Body.Nodes.Select(n => n.Id));
        Assert.True(JsonNode.DeepEquals(document, again.Document));
    }

    [Fact]
    public void Parse_ReadsEveryNodeKind()
    {
        var definition = WorkflowParser.Parse("""
            name: every-kind
            inputs:
              path: { type: string, default: README.md }
              flags: { type: array, default: [a, b] }
              options: { type: object, default: { x: 1 } }
              ratio: { type: number, default: 0.5 }
              fast: { type: boolean, default: false }
            nodes:
              - id: read
                kind: tool
                tool: read_file
                arguments: { path: "{{ inputs.path }}", limits: { lines: 10 }, list: ["{{ inputs.path }}", 2] }
                on_error: continue
              - id: check
                kind: shell
                command: test -f "$AGENT_INPUT_PATH" && test "$WHERE" = here
                env: { WHERE: "{{ inputs.path }}", FLAGS: "{{ inputs.flags | json }}" }
                timeout: 90s
                fail_on_error: true
                idempotent: true
              - id: route
                kind: decision
                next:
                  - when: nodes.check.passed and not inputs.fast
                    to: ask
                  - to: end
              - id: ask
                kind: wait
                question: "Continue with {{ inputs.path }}?"
                options: [yes, no]
                timeout: 10m
                default: "no"
              - id: choose
                kind: decision
                prompt: "Is {{ nodes.read.text }} good?"
                choices: [good, bad]
                model: openai/gpt-5
              - id: fan
                kind: parallel
                branches:
                  left:
                    - id: l1
                      kind: agent
                      prompt: left
                      output: json
                      tools: [read_file, grep]
                      skills: [review]
                      max_steps: 5
                      model: scripted/x.yaml
                      permission_mode: plan
                  right:
                    - id: r1
                      kind: agent
                      prompt: "right {{ nodes.l1.json.items[0] }}"
              - id: sub
                kind: workflow
                workflow: other-flow
                inputs: { task: "{{ inputs.path }}", count: "{{ inputs.ratio }}" }
              - id: inline
                kind: workflow
                inputs: { topic: "{{ nodes.fan.branches.left.text }}" }
                nodes:
                  - id: inner
                    kind: agent
                    prompt: "About {{ inputs.topic }}"
                  - id: after
                    kind: shell
                    command: echo "$INNER"
                    env: { INNER: "{{ nodes.inner.text }}" }
              - id: retry
                kind: loop
                max_iterations: 100
                on_exhausted: continue
                nodes:
                  - id: again
                    kind: shell
                    command: echo "$AGENT_LOOP_ITERATION $AGENT_RUN_ID $AGENT_WORKFLOW"
            """, Source);

        var nodes = definition.Nodes.Nodes;
        Assert.Equal(["tool", "shell", "decision", "wait", "decision", "parallel", "workflow", "workflow", "loop"], nodes.Select(n => n.Kind));
        var tool = (ToolNode)nodes[0];
        Assert.Equal("read_file", tool.Tool);
        Assert.True(tool.ContinueOnError);
        Assert.Equal("{{ inputs.path }}", tool.Arguments["path"]!.GetValue<string>());
        Assert.Equal(10, tool.Arguments["limits"]!["lines"]!.GetValue<long>());
        var shell = (ShellNode)nodes[1];
        Assert.Equal(TimeSpan.FromSeconds(90), shell.Timeout);
        Assert.True(shell.FailOnError);
        Assert.True(shell.Idempotent);
        Assert.Equal([new("WHERE", "{{ inputs.path }}"), new("FLAGS", "{{ inputs.flags | json }}")], shell.Environment);
        var route = (DecisionNode)nodes[2];
        Assert.Null(route.Prompt);
        Assert.Equal([new WorkflowEdge("ask", "nodes.check.passed and not inputs.fast"), new WorkflowEdge("end")], route.Next);
        var wait = (WaitNode)nodes[3];
        Assert.Equal(["yes", "no"], wait.Options);
        Assert.Equal(TimeSpan.FromMinutes(10), wait.Timeout);
        Assert.Equal("no", wait.Default);
        var choose = (DecisionNode)nodes[4];
        Assert.Equal(["good", "bad"], choose.Choices);
        Assert.Equal("openai/gpt-5", choose.Model);
        var fan = (ParallelNode)nodes[5];
        Assert.Equal(["left", "right"], fan.Branches.Select(b => b.Key));
        var left = (AgentNode)fan.Branches[0].Value.Nodes[0];
        Assert.True(left.JsonOutput);
        Assert.Equal(["read_file", "grep"], left.Tools);
        Assert.Equal(["review"], left.Skills);
        Assert.Equal(5, left.MaxSteps);
        Assert.Equal("plan", left.PermissionMode);
        var sub = (SubWorkflowNode)nodes[6];
        Assert.Equal("other-flow", sub.Workflow);
        Assert.Equal("{{ inputs.ratio }}", sub.Inputs["count"]);
        Assert.Null(sub.Inline);
        var inline = (SubWorkflowNode)nodes[7];
        Assert.Null(inline.Workflow);
        Assert.Equal(["inner", "after"], inline.Inline!.Nodes.Select(n => n.Id));
        var retry = (LoopNode)nodes[8];
        Assert.Equal(100, retry.MaxIterations);
        Assert.True(retry.ContinueWhenExhausted);
        Assert.Equal(JsonNode.Parse("""["a","b"]"""), definition.Inputs[1].Default, JsonNode.DeepEquals);
    }

    [Fact]
    public void ParseFile_UsesTheFullPath_AndTheKind()
    {
        var dir = Directory.CreateTempSubdirectory("wf-");
        try
        {
            var file = Path.Combine(dir.FullName, "x.yml");
            File.WriteAllText(file, "name: x\nnodes:\n  - id: a\n    kind: shell\n    command: true\n");
            var definition = WorkflowParser.ParseFile(file, WorkflowSourceKind.Project);
            Assert.Equal(new WorkflowSource(WorkflowSourceKind.Project, file), definition.Source);

            File.WriteAllText(file, "name: x\nnodes:\n  - id: a\n    kind: shel\n");
            var error = Assert.Throws<WorkflowFormatException>(() => WorkflowParser.ParseFile(file, WorkflowSourceKind.Project));
            Assert.Equal($"{file}:4: field 'a.kind': 'shel' is not a node kind. Did you mean 'shell'? Use one of: agent, tool, shell, decision, loop, parallel, wait, workflow.", Assert.Single(error.Problems));
            Assert.Equal(ErrorKind.Configuration, error.Kind);
            Assert.StartsWith($"invalid workflow {file} (1 problem):", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void FromDocument_ReportsProblemsByTheSourceWithoutLines()
    {
        var document = new JsonObject { ["name"] = "Bad Name", ["nodes"] = new JsonArray(new JsonObject { ["id"] = "a", ["kind"] = "agent" }) };
        var error = Assert.Throws<WorkflowFormatException>(() => WorkflowParser.FromDocument(document, new WorkflowSource(WorkflowSourceKind.Plugin, "plugin 'demo'") { Plugin = "demo" }));
        Assert.Equal(
            [
                "plugin 'demo': field 'name': 'Bad Name' is not a valid workflow name. Use lowercase letters, digits and '-', starting with a letter or digit (for example 'bad-name').",
                "plugin 'demo': field 'a.prompt': is required. Add 'prompt:' with what the agent should do.",
            ],
            error.Problems);
    }
}
