using AgentHost.Workflows.Model;
using AgentHost.Workflows.Parsing;

namespace AgentHost.Workflows.Tests;

/// <summary>Every rule of docs/workflows.md, each reported as <c>file:line: field 'x': what. Fix.</c>, all at once.</summary>
public sealed class WorkflowValidationTests
{
    private static IReadOnlyList<string> Problems(string yaml, [System.Runtime.CompilerServices.CallerMemberName] string test = "")
    {
        var problems = Assert.Throws<WorkflowFormatException>(() => WorkflowParser.Parse(yaml, new WorkflowSource(WorkflowSourceKind.File, "wf.yaml"))).Problems;
        return problems;
    }

    [Fact]
    public void InvalidYaml_IsReportedWithItsLine()
    {
        var problem = Assert.Single(Problems("name: x\nnodes: [\n  - id: a\n"));
        Assert.StartsWith("wf.yaml:", problem, StringComparison.Ordinal);
        Assert.Contains("invalid YAML", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void NotAMapping_IsReported() =>
        Assert.Equal(["wf.yaml:1: a workflow must be a mapping of fields. Start the file with 'name:' and 'nodes:' (see docs/workflows.md)."], Problems("- a\n- b\n"));

    [Fact]
    public void MissingNameAndNodes_AreBothReported() =>
        Assert.Equal(
            [
                "wf.yaml:1: field 'name': is required. Add 'name:' with lowercase letters, digits and '-' (the name 'agent workflow run' uses).",
                "wf.yaml:1: field 'nodes': is required. Add 'nodes:' with a list of nodes (each with 'id' and 'kind').",
            ],
            Problems("description: nothing here\n"));

    [Fact]
    public void BadName_UnknownTopLevelField_EmptyNodes()
    {
        Assert.Equal(
            [
                "wf.yaml:1: field 'name': 'My_Flow' is not a valid workflow name. Use lowercase letters, digits and '-', starting with a letter or digit (for example 'my-flow').",
                "wf.yaml:2: field 'nmae': unknown field. Did you mean 'name'? The fields of a workflow are: name, description, inputs, model, plugins, budget, output, nodes.",
                "wf.yaml:3: field 'nodes': must be a non-empty list of nodes, found an empty list. Write one '- id: … kind: …' entry a node.",
            ],
            Problems("name: My_Flow\nnmae: x\nnodes: []\n"));
    }

    [Fact]
    public void Inputs_TypesDefaultsAndFields()
    {
        Assert.Equal(
            [
                "wf.yaml:3: field 'inputs.a.type': 'strng' is not one of string, integer, number, boolean, object, array. Did you mean 'string'? Use one of: string, integer, number, boolean, object, array.",
                "wf.yaml:4: field 'inputs.b.default': 'three' is not an integer. Give a default of type integer, or change 'type'.",
                "wf.yaml:5: field 'inputs.c.default': '1.5' is not a string. Quote it ('c: { default: \"1.5\" }'), or change 'type'.",
                "wf.yaml:6: field 'inputs.d.requird': unknown field. Did you mean 'required'? The fields of an input are: type, required, default, description.",
                "wf.yaml:7: field 'inputs.e.required': an input with a default is never missing, so it cannot be required. Remove 'required: true' or the default.",
                "wf.yaml:8: field 'inputs.f.default': 'yes' is not a boolean. Give a default of type boolean, or change 'type'.",
                "wf.yaml:9: field 'inputs.2x': '2x' is not a valid input name. Use letters, digits, '_' and '-', starting with a letter or '_'.",
            ],
            Problems("""
                name: t
                inputs:
                  a: { type: strng }
                  b: { type: integer, default: three }
                  c: { default: 1.5 }
                  d: { requird: true }
                  e: { required: true, default: x }
                  f: { type: boolean, default: "yes" }
                  2x: {}
                nodes:
                  - id: a
                    kind: shell
                    command: "true"
                """));
    }

    [Fact]
    public void Budget_Durations_AndNumbers()
    {
        Assert.Equal(
            [
                "wf.yaml:3: field 'budget.max_steps': must be at least 1, found 0. Write a whole number at least 1.",
                "wf.yaml:4: field 'budget.max_time': '30 minutes' is not a duration. Write a duration such as 90s, 10m, 2h or 1h30m.",
                "wf.yaml:5: field 'budget.max_cost': must be a number above 0, found 'free'. Write a number such as 2.50.",
                "wf.yaml:10: field 'a.timeout': '0s' is not a duration. Write a duration such as 90s, 10m, 2h or 1h30m.",
            ],
            Problems("""
                name: t
                budget:
                  max_steps: 0
                  max_time: 30 minutes
                  max_cost: free
                nodes:
                  - id: a
                    kind: shell
                    command: "true"
                    timeout: 0s
                """));
    }

    [Fact]
    public void Nodes_IdKindAndUnknownFields()
    {
        Assert.Equal(
            [
                "wf.yaml:3: field '(node 1 of the workflow's nodes).id': is required. Give the node an id: letters, digits, '_' and '-', starting with a letter.",
                "wf.yaml:5: field '1st.id': '1st' is not a valid node id. Use letters, digits, '_' and '-', starting with a letter.",
                "wf.yaml:9: field 'b.kind': 'agnet' is not a node kind. Did you mean 'agent'? Use one of: agent, tool, shell, decision, loop, parallel, wait, workflow.",
                "wf.yaml:10: field 'c.kind': is required. Add 'kind:' — one of agent, tool, shell, decision, loop, parallel, wait, workflow.",
                "wf.yaml:11: field 'd.prompt': is required. Add 'prompt:' with what the agent should do.",
                "wf.yaml:14: field 'd.promt': unknown field. Did you mean 'prompt'? The fields of an agent node are: id, kind, description, next, catch, timeout, prompt, model, tools, permission_mode, max_steps, continue, output, skills, retry.",
                "wf.yaml:15: field 'd.max_iterations': is not a field of an agent node (it belongs to loop nodes). The fields of an agent node are: id, kind, description, next, catch, timeout, prompt, model, tools, permission_mode, max_steps, continue, output, skills, retry.",
            ],
            Problems("""
                name: t
                nodes:
                  - kind: shell
                    command: "true"
                  - id: 1st
                    kind: shell
                    command: "true"
                  - id: b
                    kind: agnet
                  - id: c
                  - id: d
                    kind: agent
                    description: x
                    promt: hello
                    max_iterations: 3
                """));
    }

    [Fact]
    public void Ids_AreUniqueAcrossTheWholeFile()
    {
        Assert.Equal(
            [
                "wf.yaml:7: field 'a.id': id 'a' is already used on line 3. Ids are unique in the whole file, nested nodes included; rename one of them.",
            ],
            Problems("""
                name: t
                nodes:
                  - id: a
                    kind: loop
                    max_iterations: 2
                    nodes:
                      - id: inner
                        kind: shell
                        command: "true"
                  - id: b
                    kind: shell
                    command: "true"
                """.Replace("- id: inner", "- id: a", StringComparison.Ordinal)));
    }

    [Fact]
    public void Edges_StayInTheirList_NameExistingNodes_AndParseTheirConditions()
    {
        Assert.Equal(
            [
                "wf.yaml:6: field 'a.next': 'inner' is in the body of loop 'l', not in the workflow's nodes. Edges stay inside their own nodes list; go to a node of the same list, or end.",
                "wf.yaml:10: field 'b.next.when': invalid condition at column 19: expected '==' to compare, found a single '='. Write a condition such as nodes.test.exit_code == 0 (operators: == != < <= > >= contains and or not).",
                "wf.yaml:11: field 'b.next.to': there is no node 'lop' in the workflow's nodes. Use the id of a node in the same list, or end.",
                "wf.yaml:12: field 'b.next.tow': unknown field. Did you mean 'to'? The fields of an edge are: when, to.",
                "wf.yaml:12: field 'b.next.to': is required. Add 'to:' with the id of a node in the same list, or end.",
                "wf.yaml:20: field 'inner.next': 'a' is in the workflow's nodes, not in the body of loop 'l'. Edges stay inside their own nodes list; go to a node of the same list, or end.",
            ],
            Problems("""
                name: t
                nodes:
                  - id: a
                    kind: shell
                    command: "true"
                    next: inner
                  - id: b
                    kind: decision
                    next:
                      - when: nodes.a.exit_code = 0
                        to: lop
                      - tow: end
                  - id: l
                    kind: loop
                    max_iterations: 2
                    nodes:
                      - id: inner
                        kind: shell
                        command: "true"
                        next: a
                """));
    }

    [Fact]
    public void Edges_MustNotFormACycle()
    {
        Assert.Equal(
            [
                "wf.yaml:12: field 'check.next': the edge to 'build' makes a cycle (build → check → build). Edges must not form a cycle; to repeat steps put them in a loop node ('kind: loop' with 'max_iterations' and 'until').",
                "wf.yaml:16: field 'self.next': the edge to 'self' makes a cycle (self → self). Edges must not form a cycle; to repeat steps put them in a loop node ('kind: loop' with 'max_iterations' and 'until').",
            ],
            Problems("""
                name: t
                nodes:
                  - id: build
                    kind: shell
                    command: make
                  - id: check
                    kind: decision
                    next:
                      - when: nodes.build.exit_code == 0
                        to: self
                      - when: nodes.build.exit_code != 0
                        to: build
                  - id: self
                    kind: shell
                    command: "true"
                    next: self
                """));
    }

    [Fact]
    public void ForwardEdgesAndSkips_AreNotCycles()
    {
        var definition = WorkflowParser.Parse("""
            name: t
            nodes:
              - id: a
                kind: decision
                next:
                  - when: inputs.x
                    to: c
              - id: b
                kind: shell
                command: "true"
                next: end
              - id: c
                kind: shell
                command: "true"
            inputs:
              x: { type: boolean, default: true }
            """, new WorkflowSource(WorkflowSourceKind.File, "wf.yaml"));
        Assert.Equal(3, definition.Nodes.Nodes.Count);
    }

    [Fact]
    public void Loops_BoundsAndLoopPaths()
    {
        Assert.Equal(
            [
                "wf.yaml:5: field 'l.max_iterations': must be from 1 to 100, found 101. Give the loop a bound from 1 to 100 ('max_iterations: 3').",
                "wf.yaml:6: field 'l.until': 'loop.count' is not defined. A loop gives only 'loop.iteration' (1-based).",
                "wf.yaml:7: field 'l.on_exhausted': 'stop' is not one of fail, continue. Use one of: fail, continue.",
                "wf.yaml:13: field 'm.max_iterations': is required. Give the loop a bound from 1 to 100 ('max_iterations: 3').",
                "wf.yaml:15: field 'm.nodes': must be a non-empty list of nodes, found an empty list. Write one '- id: … kind: …' entry a node.",
                "wf.yaml:19: field 'after.env.N': 'loop.iteration' is only defined inside a loop's body. Move this node into a loop's 'nodes', or remove the reference.",
            ],
            Problems("""
                name: t
                nodes:
                  - id: l
                    kind: loop
                    max_iterations: 101
                    until: loop.count > 2
                    on_exhausted: stop
                    nodes:
                      - id: a
                        kind: shell
                        command: echo "$N"
                        env: { N: "{{ loop.iteration }}" }
                  - id: m
                    kind: loop
                    nodes: []
                  - id: after
                    kind: shell
                    command: echo "$N"
                    env: { N: "{{ loop.iteration }}" }
                """));
    }

    [Fact]
    public void Paths_NameDeclaredInputs_ExistingNodes_AndTheirOutputs()
    {
        Assert.Equal(
            [
                "wf.yaml:4: field 'output': 'nodes.bild.text' names no node of this workflow. Did you mean 'build'? Use the id of a node (nodes.<id>.<field>).",
                "wf.yaml:8: field 'build.prompt': 'inputs.tsk' names no input of this workflow. Did you mean 'task'? Declare it under 'inputs:' (declared: task).",
                "wf.yaml:8: field 'build.prompt': 'nodes.test.exit_cod' reads no output of shell node 'test'. Did you mean 'exit_code'? A shell node's outputs are: exit_code, passed, stdout, stderr, output, timed_out, skipped, sandbox.",
                "wf.yaml:8: field 'build.prompt': 'run.name' is not defined. A run gives only 'run.id'.",
                "wf.yaml:8: field 'build.prompt': 'workflow.id' is not defined. Use 'workflow.name'.",
                "wf.yaml:8: field 'build.prompt': 'input.task' does not start with inputs, nodes, loop, run or workflow. Did you mean 'inputs'? Write a path such as inputs.<name> or nodes.<id>.<field>.",
                "wf.yaml:12: field 'test.env.X': invalid template at column 8: unknown filter 'quote'; the only filter is json. Insert values as {{ path }}, optionally with '| json'.",
            ],
            Problems("""
                name: t
                inputs:
                  task: { type: string }
                output: "{{ nodes.bild.text }}"
                nodes:
                  - id: build
                    kind: agent
                    prompt: "{{ inputs.tsk }} {{ nodes.test.exit_cod }} {{ run.name }} {{ workflow.id }} {{ input.task }} {{ nodes.build.text }} {{ nodes.test.output }}"
                  - id: test
                    kind: shell
                    command: echo "$X"
                    env: { X: "{{ x | quote }}" }
                """));
    }

    [Fact]
    public void Continue_NamesAnEarlierAgentNode()
    {
        Assert.Equal(
            [
                "wf.yaml:6: field 'first.continue': 'later' comes after this node. Name an agent node that comes before this one (there is none before this node).",
                "wf.yaml:13: field 'second.continue': 'check' is a shell node, not an agent node. Name an agent node that comes before this one (earlier agent nodes: first).",
                "wf.yaml:17: field 'third.continue': 'frist' names no node of this workflow. Did you mean 'first'? Name an agent node that comes before this one (earlier agent nodes: first, second).",
                "wf.yaml:21: field 'later.continue': a node cannot continue its own conversation. Name an agent node that comes before this one (earlier agent nodes: first, second, third).",
            ],
            Problems("""
                name: t
                nodes:
                  - id: first
                    kind: agent
                    prompt: a
                    continue: later
                  - id: check
                    kind: shell
                    command: "true"
                  - id: second
                    kind: agent
                    prompt: b
                    continue: check
                  - id: third
                    kind: agent
                    prompt: c
                    continue: frist
                  - id: later
                    kind: agent
                    prompt: d
                    continue: later
                """));
    }

    [Fact]
    public void Agent_PermissionModeAndOutput()
    {
        Assert.Equal(
            [
                "wf.yaml:6: field 'a.permission_mode': 'accept_edits' is not one of ask, accept-edits, plan, dont-ask, yolo. Did you mean 'accept-edits'? Use one of: ask, accept-edits, plan, dont-ask, yolo.",
                "wf.yaml:7: field 'a.max_steps': must be a whole number, found 'many'. Write a whole number at least 1.",
                "wf.yaml:8: field 'a.output': 'yaml' is not one of text, json. Use one of: text, json.",
                "wf.yaml:9: field 'a.tools': must be a list, found 'read_file'. Write a list: 'tools: [a, b]' or one '- item' a line.",
            ],
            Problems("""
                name: t
                nodes:
                  - id: a
                    kind: agent
                    prompt: hi
                    permission_mode: accept_edits
                    max_steps: many
                    output: yaml
                    tools: read_file
                """));
    }

    [Fact]
    public void Decision_ChoicesOnlyWithPrompt()
    {
        Assert.Equal(
            [
                "wf.yaml:5: field 'a.choices': is only used with 'prompt' (the model picks one of the choices). Add a 'prompt' that asks the model to choose, or remove 'choices' and branch with 'next'.",
                "wf.yaml:8: field 'b.prompt': a decision with a prompt needs 'choices' (the answers the model picks from). Add 'choices: [yes, no]', or remove 'prompt' for a branch point.",
            ],
            Problems("""
                name: t
                nodes:
                  - id: a
                    kind: decision
                    choices: [yes, no]
                  - id: b
                    kind: decision
                    prompt: Should we?
                """));
    }

    [Fact]
    public void Wait_OptionsAndDefault()
    {
        Assert.Equal(
            [
                "wf.yaml:8: field 'a.default': 'maybe' is not one of the options (yes, no). Make the default one of the options.",
                "wf.yaml:12: field 'b.default': is the answer taken on timeout, but the node has no 'timeout'. Add 'timeout: 10m' (or another duration), or remove 'default'.",
                "wf.yaml:13: field 'c.question': is required. Add 'question:' with what to ask.",
            ],
            Problems("""
                name: t
                nodes:
                  - id: a
                    kind: wait
                    question: Ship it?
                    options: ["yes", "no"]
                    timeout: 1h
                    default: maybe
                  - id: b
                    kind: wait
                    question: Anything?
                    default: nothing
                  - id: c
                    kind: wait
                """));
    }

    [Fact]
    public void SubWorkflow_HasExactlyOneOfWorkflowOrNodes_AndInlineScope()
    {
        Assert.Equal(
            [
                "wf.yaml:3: field 'a.workflow': a sub-workflow needs 'workflow' (a name or a path) or inline 'nodes'. Add 'workflow: <name>' or a list of 'nodes:'.",
                "wf.yaml:5: field 'b.nodes': a sub-workflow has either 'workflow' or inline 'nodes', not both. Remove one of them.",
                "wf.yaml:14: field 'c.workflow': a workflow cannot run itself. Name another workflow, or repeat steps with a loop node.",
                "wf.yaml:21: field 'inner.prompt': 'inputs.task' names no input of this workflow. An inline workflow sees only the inputs its node gives it; add it to 'inputs:' of 'd' (declared: topic).",
                "wf.yaml:21: field 'inner.prompt': 'nodes.a.output' names no node of this workflow. 'a' is in the workflow's nodes, which this workflow cannot see; use the id of a node (nodes.<id>.<field>).",
            ],
            Problems("""
                name: t
                nodes:
                  - id: a
                    kind: workflow
                  - id: b
                    kind: workflow
                    workflow: other
                    nodes:
                      - id: b1
                        kind: shell
                        command: "true"
                  - id: c
                    kind: workflow
                    workflow: t
                  - id: d
                    kind: workflow
                    inputs: { topic: "{{ nodes.a.output }}" }
                    nodes:
                      - id: inner
                        kind: agent
                        prompt: "{{ inputs.topic }} {{ inputs.task }} {{ nodes.a.output }} {{ nodes.inner.text }}"
                inputs:
                  task: {}
                """));
    }

    [Fact]
    public void Parallel_NeedsBranches()
    {
        Assert.Equal(
            [
                "wf.yaml:3: field 'p.branches': is required. Write 'branches:' then 'name:' and a list of nodes under each branch name.",
                "wf.yaml:8: field 'q.branches.empty': must be a non-empty list of nodes, found nothing. Write one '- id: … kind: …' entry a node.",
            ],
            Problems("""
                name: t
                nodes:
                  - id: p
                    kind: parallel
                  - id: q
                    kind: parallel
                    branches:
                      empty:
                      full:
                        - id: x
                          kind: shell
                          command: "true"
                """));
    }

    [Fact]
    public void ToolArguments_AreTemplates()
    {
        Assert.Equal(
            [
                "wf.yaml:6: field 't.arguments.path': 'inputs.file' names no input of this workflow. Declare it under 'inputs:' (none are declared).",
                "wf.yaml:7: field 't.arguments.list[0]': invalid template at column 1: expected '}}' to close the '{{' here. Insert values as {{ path }}, optionally with '| json'.",
            ],
            Problems("""
                name: t
                nodes:
                  - id: t
                    kind: tool
                    tool: read_file
                    arguments: { path: "{{ inputs.file }}",
                      list: ["{{ oops"] }
                """));
    }

    [Fact]
    public void EdgeTarget_Misspelt_SuggestsTheNode() =>
        Assert.Equal(
            ["wf.yaml:6: field 'build.next': there is no node 'tset' in the workflow's nodes. Did you mean 'test'? Use the id of a node in the same list, or end."],
            Problems("""
                name: t
                nodes:
                  - id: build
                    kind: shell
                    command: make
                    next: tset
                  - id: test
                    kind: shell
                    command: make test
                """));
}
