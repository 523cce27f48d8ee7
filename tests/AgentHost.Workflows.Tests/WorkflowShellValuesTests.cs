using System.Text.Json.Nodes;
using AgentHost.Workflows.Expressions;
using AgentHost.Workflows.Model;
using AgentHost.Workflows.Parsing;

namespace AgentHost.Workflows.Tests;

/// <summary>
/// docs/workflows.md "Shell nodes and values": a shell node's command is shell source without insertions; a
/// <c>{{ … }}</c> there is a problem at its own line that names the variable to use; values arrive as variables.
/// </summary>
public sealed class WorkflowShellValuesTests
{
    private static IReadOnlyList<string> Problems(string yaml) =>
        Assert.Throws<WorkflowFormatException>(() => WorkflowParser.Parse(yaml, new WorkflowSource(WorkflowSourceKind.File, "wf.yaml"))).Problems;

    [Fact]
    public void AnInsertionInACommand_IsAProblemAtItsLine_NamingTheVariableToUse()
    {
        Assert.Equal(
            [
                "wf.yaml:10: field 'commit.command': '{{ nodes.write.text }}' would insert a value into shell source, where the shell would run it as code. Give the node 'env: { WRITE_TEXT: \"{{ nodes.write.text }}\" }' and write \"$WRITE_TEXT\" (in double quotes) in the command.",
                "wf.yaml:13: field 'test.command': '{{ inputs.test_command | raw }}' would insert a value into shell source, where the shell would run it as code. Write \"$AGENT_INPUT_TEST_COMMAND\" (in double quotes) instead: the value is in that environment variable.",
                "wf.yaml:21: field 'many.command': '{{ loop.iteration }}' would insert a value into shell source, where the shell would run it as code. Write \"$AGENT_LOOP_ITERATION\" (in double quotes) instead: the value is in that environment variable.",
                "wf.yaml:22: field 'many.command': '{{ run.id }}' would insert a value into shell source, where the shell would run it as code. Write \"$AGENT_RUN_ID\" (in double quotes) instead: the value is in that environment variable.",
            ],
            Problems("""
                name: t
                inputs:
                  test_command: {}
                nodes:
                  - id: write
                    kind: agent
                    prompt: Write a commit message
                  - id: commit
                    kind: shell
                    command: git commit -m "{{ nodes.write.text }}"
                  - id: test
                    kind: shell
                    command: "{{ inputs.test_command | raw }}"
                  - id: loop
                    kind: loop
                    max_iterations: 2
                    nodes:
                      - id: many
                        kind: shell
                        command: |
                          echo "iteration {{ loop.iteration }}"
                          echo "run {{ run.id }}"
                """)
                .Select(p => p.Replace("wf.yaml:13: field 'test.command': invalid template", "x", StringComparison.Ordinal)));
    }

    [Fact]
    public void Env_NamesAreVariables_NotTheHostsOrOnesThatChooseWhatRuns()
    {
        Assert.Equal(
            [
                "wf.yaml:7: field 'a.env.AGENT_INPUT_X': 'AGENT_INPUT_X' is reserved: names starting with AGENT_ are the host's (AGENT_INPUT_<NAME>, AGENT_RUN_ID, AGENT_WORKFLOW, AGENT_LOOP_ITERATION); pick another name. Name the variable something like MESSAGE, and refer to it as \"$MESSAGE\" in the command.",
                "wf.yaml:8: field 'a.env.LD_PRELOAD': 'LD_PRELOAD' changes which programs run or how they read their code, so a value in it would be code, not data; pick another name. Name the variable something like MESSAGE, and refer to it as \"$MESSAGE\" in the command.",
                "wf.yaml:9: field 'a.env.PATH': 'PATH' changes which programs run or how they read their code, so a value in it would be code, not data; pick another name. Name the variable something like MESSAGE, and refer to it as \"$MESSAGE\" in the command.",
                "wf.yaml:10: field 'a.env.2x': '2x' is not a variable name; use letters, digits and '_', starting with a letter or '_'. Name the variable something like MESSAGE, and refer to it as \"$MESSAGE\" in the command.",
            ],
            Problems("""
                name: t
                nodes:
                  - id: a
                    kind: shell
                    command: "true"
                    env:
                      AGENT_INPUT_X: x
                      LD_PRELOAD: "{{ workflow.name }}"
                      PATH: /tmp
                      2x: y
                """));
    }

    [Fact]
    public void TwoInputsThatWouldBeOneVariable_AreAProblem() =>
        Assert.Equal(
            ["wf.yaml:4: field 'inputs.test_command': 'test_command' and 'test-command' would both be the shell variable AGENT_INPUT_TEST_COMMAND. Rename one of them (inputs reach shell nodes as AGENT_INPUT_<NAME>, upper case, '-' written '_')."],
            Problems("""
                name: t
                inputs:
                  test-command: {}
                  test_command: {}
                nodes:
                  - id: a
                    kind: shell
                    command: "true"
                """));

    [Fact]
    public void Variables_CarryEveryInput_TheRunTheLoop_AndTheNodesEnv()
    {
        var node = new ShellNode("s", "true") { Environment = [new("MESSAGE", "{{ nodes.w.text }}"), new("LIST", "{{ inputs.list | json }}")] };
        var scope = JsonNode.Parse("""
            { "inputs": { "task": "$(rm -rf ~) \"x\"", "test-command": "make test", "count": 3, "list": ["a"] },
              "nodes": { "w": { "text": "`reboot`" } }, "loop": { "iteration": 2 }, "run": { "id": "R1" }, "workflow": { "name": "demo" } }
            """)!.AsObject();

        var variables = ShellVariables.For(node, scope, template => WorkflowTemplate.Parse(template).Render(scope));

        Assert.Equal("$(rm -rf ~) \"x\"", variables["AGENT_INPUT_TASK"]);
        Assert.Equal("make test", variables["AGENT_INPUT_TEST_COMMAND"]);
        Assert.Equal("3", variables["AGENT_INPUT_COUNT"]);
        Assert.Equal("R1", variables["AGENT_RUN_ID"]);
        Assert.Equal("demo", variables["AGENT_WORKFLOW"]);
        Assert.Equal("2", variables["AGENT_LOOP_ITERATION"]);
        Assert.Equal("`reboot`", variables["MESSAGE"]);
        Assert.Equal("[\"a\"]", variables["LIST"]);
    }

    [Fact]
    public void TheBundledWorkflows_SpliceNoValueIntoTheirCommands()
    {
        foreach (var file in WorkflowCatalog.BundledFiles())
        {
            var definition = WorkflowParser.Parse(WorkflowCatalog.BundledText(file), new WorkflowSource(WorkflowSourceKind.Bundled, file));
            Assert.All(Shells(definition.Nodes), shell => Assert.DoesNotContain("{{", shell.Command, StringComparison.Ordinal));
        }

        static IEnumerable<ShellNode> Shells(WorkflowGraph graph) => graph.Nodes.SelectMany(n => n switch
        {
            ShellNode shell => [shell],
            LoopNode loop => Shells(loop.Body),
            ParallelNode parallel => parallel.Branches.SelectMany(b => Shells(b.Value)),
            SubWorkflowNode { Inline: { } inline } => Shells(inline),
            _ => [],
        });
    }
}
