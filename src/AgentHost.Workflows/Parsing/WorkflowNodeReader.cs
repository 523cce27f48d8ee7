using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AgentHost.Workflows.Model;
using YamlDotNet.RepresentationModel;

namespace AgentHost.Workflows.Parsing;

/// <summary>Reads one node of a list: its common fields, its edges and the fields of its kind.</summary>
/// <param name="reader">The workflow reader (templates, conditions, nested lists).</param>
/// <param name="problems">Where problems go.</param>
/// <param name="index">Every node of the file.</param>
/// <param name="workflowName">The workflow's name (a sub-workflow must not name it).</param>
internal sealed partial class WorkflowNodeReader(WorkflowReader reader, WorkflowProblems problems, NodeIndex index, string workflowName)
{
    private static readonly string[] OnError = ["fail", "continue"];
    private static readonly string[] OutputKinds = ["text", "json"];

    /// <summary>Reads the node; null when it has problems that leave no node to build.</summary>
    /// <param name="item">The list item.</param>
    /// <param name="position">Its 0-based position, for messages when it has no id.</param>
    /// <param name="context">The list's context.</param>
    /// <param name="siblings">The ids of the same list (edge targets).</param>
    /// <param name="edges">The node's edges with their YAML nodes, for the cycle check.</param>
    /// <returns>The node.</returns>
    public WorkflowNode? Read(YamlNode item, int position, GraphContext context, IReadOnlySet<string> siblings, out List<(WorkflowEdge Edge, YamlNode Node)> edges)
    {
        edges = [];
        if (item is not YamlMappingNode map)
        {
            problems.Add(item, null, $"item {position + 1} of {context.Where} must be a node (a mapping with 'id' and 'kind'), found {YamlFields.Describe(item)}",
                "write '- id: build' and 'kind: agent' (or another kind) under it");
            return null;
        }

        var rawId = map.Children.TryGetValue(new YamlScalarNode("id"), out var idNode) ? (idNode as YamlScalarNode)?.Value : null;
        var prefix = string.IsNullOrEmpty(rawId) ? $"(node {position + 1} of {context.Where})." : rawId + ".";
        var fields = new YamlFields(map, prefix, problems);
        var id = fields.Text("id", required: true, fix: "give the node an id: letters, digits, '_' and '-', starting with a letter");
        if (id is not null && (!NodeIdPattern().IsMatch(id) || id == WorkflowEdge.End))
        {
            problems.Add(idNode, prefix + "id", id == WorkflowEdge.End ? "'end' is reserved for edges that end the graph" : $"'{id}' is not a valid node id",
                "use letters, digits, '_' and '-', starting with a letter");
            id = null;
        }

        var kind = fields.Text("kind", required: true, fix: $"add 'kind:' — one of {string.Join(", ", WorkflowVocabulary.Kinds)}");
        if (kind is not null && !WorkflowVocabulary.KindFields.ContainsKey(kind))
        {
            problems.Add(fields.Get("kind"), prefix + "kind", $"'{kind}' is not a node kind",
                $"{WorkflowProblems.DidYouMean(kind, WorkflowVocabulary.Kinds)}use one of: {string.Join(", ", WorkflowVocabulary.Kinds)}");
            kind = null;
        }

        if (kind is not null)
        {
            var allowed = WorkflowVocabulary.CommonFields.Concat(WorkflowVocabulary.KindFields[kind]).ToList();
            var what = $"a{(kind is "agent" ? "n" : string.Empty)} {kind} node";
            RejectOnError(fields, kind, what, allowed);
            fields.RejectUnknown(allowed, what, WorkflowVocabulary.KindsWithField);
        }

        var description = fields.Text("description");
        var next = ReadNext(fields, context, siblings, edges);
        var failure = ReadFailureHandling(fields, kind, context, siblings, edges);
        if (kind is null)
        {
            return null;
        }

        var node = kind switch
        {
            "agent" => (WorkflowNode?)ReadAgent(fields, id, context),
            "tool" => ReadTool(fields, id, context),
            "shell" => ReadShell(fields, id, context),
            "decision" => ReadDecision(fields, id, context),
            "loop" => ReadLoop(fields, id, context),
            "parallel" => ReadParallel(fields, id, context),
            "wait" => ReadWait(fields, id, context),
            _ => ReadWorkflow(fields, id, context),
        };

        return node is null || id is null || next is null || failure is null
            ? null
            : node with { Description = description, Next = next, Line = (int)map.Start.Line, Retry = failure.Value.Retry, Catch = failure.Value.Catch, TimeLimit = failure.Value.TimeLimit };
    }

    private List<WorkflowEdge>? ReadNext(YamlFields fields, GraphContext context, IReadOnlySet<string> siblings, List<(WorkflowEdge, YamlNode)> edges)
    {
        var node = fields.Get("next");
        var field = fields.Name("next");
        if (node is null)
        {
            return [];
        }

        var ok = true;
        var result = new List<WorkflowEdge>();
        if (node is YamlScalarNode { Value: { Length: > 0 } target })
        {
            ok &= CheckTarget(node, field, target, context, siblings);
            result.Add(new WorkflowEdge(target));
            edges.Add((result[^1], node));
        }
        else if (node is YamlSequenceNode list && list.Children.Count > 0)
        {
            foreach (var entry in list.Children)
            {
                if (entry is not YamlMappingNode map)
                {
                    problems.Add(entry, field, $"entries must be mappings with 'to' (and 'when'), found {YamlFields.Describe(entry)}", "write '- when: <condition>' and 'to: <id|end>' under it");
                    ok = false;
                    continue;
                }

                var edgeFields = new YamlFields(map, field + ".", problems);
                edgeFields.RejectUnknown(WorkflowVocabulary.EdgeFields, "an edge");
                var to = edgeFields.Text("to", required: true, fix: "add 'to:' with the id of a node in the same list, or end");
                var when = edgeFields.Text("when");
                if (when is not null)
                {
                    reader.CheckCondition(edgeFields.Get("when")!, field + ".when", when, context);
                }
                else if (edgeFields.Has("when"))
                {
                    problems.Add(edgeFields.Get("when"), field + ".when", "is empty", "write a condition, or remove 'when' to always take this edge");
                }

                if (to is null || !CheckTarget(edgeFields.Get("to")!, field + ".to", to, context, siblings))
                {
                    ok = false;
                    continue;
                }

                result.Add(new WorkflowEdge(to, when));
                edges.Add((result[^1], edgeFields.Get("to")!));
            }
        }
        else
        {
            problems.Add(node, field, $"must be a node id, end, or a list of {{ when, to }}, found {YamlFields.Describe(node)}", "write 'next: <id>' or a list of '- when: …' / 'to: …' entries");
            ok = false;
        }

        return ok ? result : null;
    }

    private bool CheckTarget(YamlNode node, string field, string target, GraphContext context, IReadOnlySet<string> siblings)
    {
        if (target == WorkflowEdge.End || siblings.Contains(target))
        {
            return true;
        }

        if (index.All.TryGetValue(target, out var other))
        {
            problems.Add(node, field, $"'{target}' is in {other.Where}, not in {context.Where}",
                "edges stay inside their own nodes list; go to a node of the same list, or end");
        }
        else
        {
            problems.Add(node, field, $"there is no node '{target}' in {context.Where}",
                $"{WorkflowProblems.DidYouMean(target, siblings.Append(WorkflowEdge.End))}use the id of a node in the same list, or end");
        }

        return false;
    }

    private AgentNode? ReadAgent(YamlFields fields, string? id, GraphContext context)
    {
        var prompt = reader.Template(fields, "prompt", context, required: true, fix: "add 'prompt:' with what the agent should do");
        var model = fields.Text("model");
        var tools = fields.TextList("tools");
        var mode = fields.Choice("permission_mode", WorkflowVocabulary.PermissionModes);
        var maxSteps = fields.Integer("max_steps", 1);
        var output = fields.Choice("output", OutputKinds);
        var skills = fields.TextList("skills");
        var continues = fields.Text("continue");
        if (continues is not null)
        {
            CheckContinue(fields, id, continues, context);
        }

        return prompt is null || id is null || tools is null || skills is null
            ? null
            : new AgentNode(id, prompt)
            {
                Model = model,
                Tools = tools,
                PermissionMode = mode,
                MaxSteps = maxSteps,
                Continue = continues,
                JsonOutput = output == "json",
                Skills = skills,
            };
    }

    private void CheckContinue(YamlFields fields, string? id, string target, GraphContext context)
    {
        var self = id is null ? null : index.All.GetValueOrDefault(id);
        var earlier = context.Scope.Nodes.Values.Where(n => n.Kind == "agent" && (self is null || n.Order < self.Order)).Select(n => n.Id).ToList();
        var list = earlier.Count == 0 ? "there is none before this node" : $"earlier agent nodes: {string.Join(", ", earlier)}";
        string? what = null;
        if (!context.Scope.Nodes.TryGetValue(target, out var node))
        {
            what = $"'{target}' names no node of this workflow";
        }
        else if (node.Kind != "agent")
        {
            what = node.Kind is null ? $"'{target}' is not an agent node" : $"'{target}' is a {node.Kind} node, not an agent node";
        }
        else if (target == id)
        {
            what = "a node cannot continue its own conversation";
        }
        else if (self is not null && node.Order > self.Order)
        {
            what = $"'{target}' comes after this node";
        }

        if (what is not null)
        {
            problems.Add(fields.Get("continue"), fields.Name("continue"), what,
                $"{WorkflowProblems.DidYouMean(target, earlier)}name an agent node that comes before this one ({list})");
        }
    }

    private ToolNode? ReadTool(YamlFields fields, string? id, GraphContext context)
    {
        var tool = fields.Text("tool", required: true, fix: "add 'tool:' with the tool's name (agent tools lists them)");
        var onError = ReadOnError(fields);
        JsonObject arguments = [];
        if (fields.Get("arguments") is { } argumentsNode)
        {
            if (argumentsNode is YamlMappingNode map)
            {
                arguments = (JsonObject)YamlJson.Convert(map)!;
                CheckArgumentTemplates(map, fields.Name("arguments"), context);
            }
            else
            {
                problems.Add(argumentsNode, fields.Name("arguments"), $"must be a mapping of argument name to value, found {YamlFields.Describe(argumentsNode)}",
                    "write 'arguments: { path: README.md }'");
                return null;
            }
        }

        return tool is null || id is null ? null : new ToolNode(id, tool) { Arguments = arguments, ContinueOnError = onError == "continue" };
    }

    private void CheckArgumentTemplates(YamlNode node, string field, GraphContext context)
    {
        switch (node)
        {
            case YamlScalarNode scalar when YamlJson.Scalar(scalar) is JsonValue value && value.GetValueKind() == System.Text.Json.JsonValueKind.String:
                reader.CheckTemplate(scalar, field, scalar.Value!, context);
                break;
            case YamlMappingNode map:
                foreach (var (key, value) in map.Children)
                {
                    CheckArgumentTemplates(value, $"{field}.{(key as YamlScalarNode)?.Value}", context);
                }

                break;
            case YamlSequenceNode list:
                for (var i = 0; i < list.Children.Count; i++)
                {
                    CheckArgumentTemplates(list.Children[i], $"{field}[{i}]", context);
                }

                break;
        }
    }

    private DecisionNode? ReadDecision(YamlFields fields, string? id, GraphContext context)
    {
        var prompt = reader.Template(fields, "prompt", context);
        var choices = fields.TextList("choices");
        var model = fields.Text("model");
        if (fields.Has("choices") && !fields.Has("prompt"))
        {
            problems.Add(fields.Get("choices"), fields.Name("choices"), "is only used with 'prompt' (the model picks one of the choices)",
                "add a 'prompt' that asks the model to choose, or remove 'choices' and branch with 'next'");
        }
        else if (fields.Has("prompt") && (choices is { Count: 0 }))
        {
            problems.Add(fields.Get("prompt"), fields.Name("prompt"), "a decision with a prompt needs 'choices' (the answers the model picks from)",
                "add 'choices: [yes, no]', or remove 'prompt' for a branch point");
        }
        else if (choices is not null && choices.Distinct(StringComparer.Ordinal).Count() != choices.Count)
        {
            problems.Add(fields.Get("choices"), fields.Name("choices"), "lists a choice twice", "list each choice once");
        }

        if (model is not null && !fields.Has("prompt"))
        {
            problems.Add(fields.Get("model"), fields.Name("model"), "is only used with 'prompt' and 'choices'", "remove 'model', or add a prompt and choices");
        }

        return id is null || choices is null ? null : new DecisionNode(id) { Prompt = prompt, Choices = choices, Model = model };
    }

    private LoopNode? ReadLoop(YamlFields fields, string? id, GraphContext context)
    {
        var max = fields.Integer("max_iterations", 1, LoopNode.Limit, required: true, fix: $"give the loop a bound from 1 to {LoopNode.Limit} ('max_iterations: 3')");
        var inner = context with { InLoop = true, Where = $"the body of loop '{id}'" };
        var until = fields.Text("until");
        if (until is not null)
        {
            reader.CheckCondition(fields.Get("until")!, fields.Name("until"), until, inner);
        }

        var onExhausted = fields.Choice("on_exhausted", OnError);
        var body = reader.Graph(fields.Get("nodes"), fields.Map, fields.Name("nodes"), inner);
        return body is null || max is null || id is null
            ? null
            : new LoopNode(id, body, max.Value) { Until = until, ContinueWhenExhausted = onExhausted == "continue" };
    }

    private ParallelNode? ReadParallel(YamlFields fields, string? id, GraphContext context)
    {
        var node = fields.Get("branches");
        if (node is not YamlMappingNode map || map.Children.Count == 0)
        {
            problems.Add(node ?? fields.Map, fields.Name("branches"), node is null ? "is required" : $"must be a mapping of branch name to its nodes, found {YamlFields.Describe(node)}",
                "write 'branches:' then 'name:' and a list of nodes under each branch name");
            return null;
        }

        var branches = new List<KeyValuePair<string, WorkflowGraph>>();
        var ok = true;
        foreach (var (key, value) in map.Children)
        {
            var name = (key as YamlScalarNode)?.Value ?? string.Empty;
            if (!WorkflowReader.IdentifierPattern().IsMatch(name))
            {
                problems.Add(key, $"{fields.Name("branches")}.{name}", $"'{name}' is not a valid branch name", "use letters, digits, '_' and '-', starting with a letter");
                ok = false;
                continue;
            }

            var graph = reader.Graph(value, key, $"{fields.Name("branches")}.{name}", context with { Where = $"branch '{name}' of parallel '{id}'" });
            if (graph is null)
            {
                ok = false;
                continue;
            }

            branches.Add(new(name, graph));
        }

        return ok && id is not null ? new ParallelNode(id, branches) : null;
    }

    private WaitNode? ReadWait(YamlFields fields, string? id, GraphContext context)
    {
        var question = reader.Template(fields, "question", context, required: true, fix: "add 'question:' with what to ask");
        var options = fields.TextList("options");
        var timeout = fields.Duration("timeout");
        var answer = fields.Text("default");
        if (options is not null && options.Distinct(StringComparer.Ordinal).Count() != options.Count)
        {
            problems.Add(fields.Get("options"), fields.Name("options"), "lists an option twice", "list each option once");
        }

        if (answer is not null && options is { Count: > 0 } && !options.Contains(answer))
        {
            problems.Add(fields.Get("default"), fields.Name("default"), $"'{answer}' is not one of the options ({string.Join(", ", options)})",
                $"{WorkflowProblems.DidYouMean(answer, options)}make the default one of the options");
        }

        if (answer is not null && !fields.Has("timeout"))
        {
            problems.Add(fields.Get("default"), fields.Name("default"), "is the answer taken on timeout, but the node has no 'timeout'", "add 'timeout: 10m' (or another duration), or remove 'default'");
        }

        return question is null || id is null || options is null ? null : new WaitNode(id, question) { Options = options, Timeout = timeout, Default = answer };
    }

    private SubWorkflowNode? ReadWorkflow(YamlFields fields, string? id, GraphContext context)
    {
        var name = fields.Text("workflow");
        var hasNodes = fields.Has("nodes");
        if (name is null == !hasNodes)
        {
            problems.Add(fields.Map, fields.Name(hasNodes ? "nodes" : "workflow"),
                hasNodes ? "a sub-workflow has either 'workflow' or inline 'nodes', not both" : "a sub-workflow needs 'workflow' (a name or a path) or inline 'nodes'",
                hasNodes ? "remove one of them" : "add 'workflow: <name>' or a list of 'nodes:'");
        }

        if (name is not null && !IsPath(name) && !WorkflowParser.IsValidName(name))
        {
            problems.Add(fields.Get("workflow"), fields.Name("workflow"), $"'{name}' is neither a workflow name nor a path",
                "give a name (lowercase letters, digits and '-') or a path ending in .yaml relative to this file");
        }
        else if (name is not null && name == workflowName)
        {
            problems.Add(fields.Get("workflow"), fields.Name("workflow"), "a workflow cannot run itself", "name another workflow, or repeat steps with a loop node");
        }

        var inputs = new Dictionary<string, string>(StringComparer.Ordinal);
        if (fields.Get("inputs") is { } inputsNode)
        {
            if (inputsNode is YamlMappingNode map)
            {
                foreach (var (key, value) in map.Children)
                {
                    var inputName = (key as YamlScalarNode)?.Value ?? string.Empty;
                    var field = $"{fields.Name("inputs")}.{inputName}";
                    if (value is YamlScalarNode scalar && scalar.Value is not null)
                    {
                        reader.CheckTemplate(scalar, field, scalar.Value, context);
                        inputs[inputName] = scalar.Value;
                    }
                    else
                    {
                        problems.Add(value, field, $"must be a template (text), found {YamlFields.Describe(value)}", $"write '{inputName}: \"{{{{ inputs.{inputName} }}}}\"' or a literal text");
                    }
                }
            }
            else
            {
                problems.Add(inputsNode, fields.Name("inputs"), $"must be a mapping of input name to template, found {YamlFields.Describe(inputsNode)}",
                    "write 'inputs: { task: \"{{ inputs.task }}\" }'");
            }
        }

        WorkflowGraph? inline = null;
        if (hasNodes)
        {
            var scope = index.InlineScopes.GetValueOrDefault(fields.Map) ?? new WorkflowScope([], id);
            inline = reader.Graph(fields.Get("nodes"), fields.Map, fields.Name("nodes"), new GraphContext(scope, InLoop: false, $"inline workflow '{id}'"));
            if (inline is null)
            {
                return null;
            }
        }

        return id is null || (name is null && inline is null) ? null : new SubWorkflowNode(id) { Workflow = name, Inputs = inputs, Inline = inline };
    }

    /// <summary>Whether a sub-workflow reference is a path (has a slash or ends in .yaml/.yml), not a name.</summary>
    /// <param name="reference">The reference.</param>
    /// <returns>Whether it is a path.</returns>
    public static bool IsPath(string reference) =>
        reference.Contains('/', StringComparison.Ordinal) || reference.Contains('\\', StringComparison.Ordinal)
        || reference.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || reference.EndsWith(".yml", StringComparison.OrdinalIgnoreCase);

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex NodeIdPattern();
}
