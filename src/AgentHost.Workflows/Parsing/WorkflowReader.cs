using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AgentHost.Workflows.Model;
using YamlDotNet.RepresentationModel;

namespace AgentHost.Workflows.Parsing;

/// <summary>
/// The second pass over a workflow's YAML: reads every field into the model and reports every problem (the first pass,
/// <see cref="NodeIndex"/>, has found all node ids so that references can be checked in any order).
/// </summary>
/// <param name="problems">Where problems go.</param>
internal sealed partial class WorkflowReader(WorkflowProblems problems)
{
    private NodeIndex _index = null!;
    private string _name = string.Empty;

    /// <summary>Reads the workflow; null parts where problems were reported.</summary>
    /// <param name="root">The file's root mapping.</param>
    /// <param name="source">Where it came from.</param>
    /// <returns>The definition (only meaningful when no problem was reported).</returns>
    public WorkflowDefinition? Read(YamlMappingNode root, WorkflowSource source)
    {
        var fields = new YamlFields(root, string.Empty, problems);
        // The run's limits are in one place: a top-level max_cost (or max_steps, max_time) is said to belong in budget.
        fields.RejectUnknown(WorkflowVocabulary.TopLevelFields, "a workflow", key => WorkflowVocabulary.BudgetFields.Contains(key) ? $"'budget': write 'budget: {{ {key}: … }}'" : null);

        var name = fields.Text("name", required: true, fix: "add 'name:' with lowercase letters, digits and '-' (the name 'agent workflow run' uses)");
        if (name is not null && !WorkflowParser.IsValidName(name))
        {
            problems.Add(fields.Get("name"), "name", $"'{name}' is not a valid workflow name",
                $"use lowercase letters, digits and '-', starting with a letter or digit (for example '{Suggest(name)}')");
        }

        _name = name ?? string.Empty;
        var inputs = ReadInputs(fields.Get("inputs"));
        var scope = new WorkflowScope(inputs.Select(i => i.Name).ToList(), null);
        _index = new NodeIndex(problems);
        _index.Add(fields.Get("nodes"), scope, "the workflow's nodes");

        var top = new GraphContext(scope, InLoop: false, "the workflow's nodes");
        var budget = ReadBudget(fields.Get("budget"));
        var output = Template(fields, "output", top);
        var graph = ReadGraph(fields.Get("nodes"), root, "nodes", top);
        var description = fields.Text("description");
        var model = fields.Text("model");
        var plugins = fields.TextList("plugins");
        return graph is null || name is null
            ? null
            : new WorkflowDefinition(name, graph)
            {
                Description = description,
                Inputs = inputs,
                Model = model,
                Plugins = plugins ?? [],
                Budget = budget,
                Output = output,
                Source = source,
            };
    }

    private static string Suggest(string name)
    {
        var cleaned = InvalidNameCharacters().Replace(name.ToLowerInvariant(), "-").Trim('-');
        return cleaned.Length == 0 ? "my-workflow" : cleaned;
    }

    private List<WorkflowInput> ReadInputs(YamlNode? node)
    {
        var result = new List<WorkflowInput>();
        if (node is null || node is YamlScalarNode s && YamlJson.IsPlain(s) && YamlJson.Scalar(s) is null)
        {
            return result;
        }

        if (node is not YamlMappingNode map)
        {
            problems.Add(node, "inputs", $"must be a mapping of input name to its type, found {YamlFields.Describe(node)}",
                "write 'inputs:' then one '  name: { type: string }' a line");
            return result;
        }

        foreach (var (key, value) in map.Children)
        {
            var name = (key as YamlScalarNode)?.Value ?? string.Empty;
            var field = $"inputs.{name}";
            if (!IdentifierPattern().IsMatch(name))
            {
                problems.Add(key, field, $"'{name}' is not a valid input name", "use letters, digits, '_' and '-', starting with a letter or '_'");
                continue;
            }

            if (value is YamlScalarNode v && YamlJson.IsPlain(v) && YamlJson.Scalar(v) is null)
            {
                result.Add(new WorkflowInput(name, WorkflowValueType.String));
                continue;
            }

            if (value is not YamlMappingNode inputMap)
            {
                problems.Add(value, field, $"must be a mapping such as {{ type: string, required: true }}, found {YamlFields.Describe(value)}",
                    $"write '{name}: {{ type: string }}' (types: {string.Join(", ", WorkflowVocabulary.InputTypes)})");
                continue;
            }

            var fields = new YamlFields(inputMap, field + ".", problems);
            fields.RejectUnknown(WorkflowVocabulary.InputFields, "an input");
            var typeName = fields.Choice("type", WorkflowVocabulary.InputTypes) ?? (fields.Has("type") ? null : "string");
            var required = fields.Boolean("required") ?? false;
            var description = fields.Text("description");
            if (typeName is null)
            {
                continue;
            }

            var type = Enum.Parse<WorkflowValueType>(typeName, ignoreCase: true);
            JsonNode? defaultValue = null;
            if (fields.Get("default") is { } defaultNode)
            {
                defaultValue = YamlJson.Convert(defaultNode);
                if (defaultValue is null)
                {
                    problems.Add(defaultNode, field + ".default", "is empty", "give a value, or remove 'default'");
                }
                else if (!WorkflowValuesKind.Matches(defaultValue, type))
                {
                    problems.Add(defaultNode, field + ".default", $"{YamlFields.Describe(defaultNode)} is not a{(typeName is "integer" or "object" or "array" ? "n" : string.Empty)} {typeName}",
                        type == WorkflowValueType.String ? $"quote it ('{name}: {{ default: \"{(defaultNode as YamlScalarNode)?.Value}\" }}'), or change 'type'" : $"give a default of type {typeName}, or change 'type'");
                }
                else if (required)
                {
                    problems.Add(fields.Get("required"), field + ".required", "an input with a default is never missing, so it cannot be required", "remove 'required: true' or the default");
                }
            }

            if (result.FirstOrDefault(i => Expressions.ShellVariables.OfInput(i.Name) == Expressions.ShellVariables.OfInput(name)) is { } same)
            {
                problems.Add(key, field, $"'{name}' and '{same.Name}' would both be the shell variable {Expressions.ShellVariables.OfInput(name)}",
                    "rename one of them (inputs reach shell nodes as AGENT_INPUT_<NAME>, upper case, '-' written '_')");
            }

            result.Add(new WorkflowInput(name, type) { Required = required, Default = defaultValue, Description = description });
        }

        return result;
    }

    private WorkflowBudget ReadBudget(YamlNode? node)
    {
        if (node is null)
        {
            return WorkflowBudget.None;
        }

        if (node is not YamlMappingNode map)
        {
            problems.Add(node, "budget", $"must be a mapping, found {YamlFields.Describe(node)}", "write 'budget: { max_steps: 60, max_time: 30m, max_cost: 2.50 }'");
            return WorkflowBudget.None;
        }

        var fields = new YamlFields(map, "budget.", problems);
        fields.RejectUnknown(WorkflowVocabulary.BudgetFields, "budget");
        return new WorkflowBudget(fields.Integer("max_steps", 1), fields.Duration("max_time"), fields.PositiveNumber("max_cost"));
    }

    /// <summary>Reads a list of nodes (the workflow, a loop body, a branch, an inline sub-workflow).</summary>
    private WorkflowGraph? ReadGraph(YamlNode? node, YamlNode owner, string field, GraphContext context)
    {
        if (node is null)
        {
            problems.Add(owner, field, "is required", $"add '{LastPart(field)}:' with a list of nodes (each with 'id' and 'kind')");
            return null;
        }

        if (node is not YamlSequenceNode list || list.Children.Count == 0)
        {
            problems.Add(node, field, $"must be a non-empty list of nodes, found {(node is YamlSequenceNode ? "an empty list" : YamlFields.Describe(node))}",
                "write one '- id: … kind: …' entry a node");
            return null;
        }

        var ids = list.Children.OfType<YamlMappingNode>().Select(_index.Of).Where(n => n is not null).Select(n => n!.Id).ToHashSet(StringComparer.Ordinal);
        var nodes = new List<WorkflowNode>();
        var edges = new List<(int From, string FromId, YamlNode Edge, string To, bool Conditional, string? When)>();
        var fallsThrough = new List<bool>();
        var ok = true;
        for (var i = 0; i < list.Children.Count; i++)
        {
            var item = list.Children[i];
            var read = new WorkflowNodeReader(this, problems, _index, _name).Read(item, i, context, ids, out var itemEdges);
            if (read is null)
            {
                ok = false;
                fallsThrough.Add(true);
                continue;
            }

            nodes.Add(read);
            fallsThrough.Add(read.Next.Count == 0 || read.Next.All(e => e.When is not null));
            edges.AddRange(itemEdges.Select(e => (i, read.Id, e.Node, e.Edge.To, e.Edge.When is not null, e.Edge.When)));
        }

        CheckCycles(list, edges, fallsThrough);
        return ok ? new WorkflowGraph(nodes) : null;
    }

    private void CheckCycles(YamlSequenceNode list, List<(int From, string FromId, YamlNode Edge, string To, bool Conditional, string? When)> edges, List<bool> fallsThrough)
    {
        var count = list.Children.Count;
        var indexOf = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            if (list.Children[i] is YamlMappingNode map && _index.Of(map) is { } entry)
            {
                indexOf[entry.Id] = i;
            }
        }

        var successors = Enumerable.Range(0, count).Select(_ => new List<(int To, int Edge)>()).ToList();
        for (var e = 0; e < edges.Count; e++)
        {
            if (indexOf.TryGetValue(edges[e].To, out var to))
            {
                successors[edges[e].From].Add((to, e));
            }
        }

        for (var i = 0; i + 1 < count; i++)
        {
            if (fallsThrough[i])
            {
                successors[i].Add((i + 1, -1));
            }
        }

        var state = new int[count];
        var stack = new List<int>();
        var reported = new HashSet<int>();

        void Visit(int node)
        {
            state[node] = 1;
            stack.Add(node);
            foreach (var (to, edge) in successors[node])
            {
                if (state[to] == 1 && edge >= 0 && reported.Add(edge))
                {
                    var cycle = stack.Skip(stack.IndexOf(to)).Append(to).Select(Id);
                    problems.Add(edges[edge].Edge, $"{edges[edge].FromId}.{(edges[edge].Conditional && edges[edge].When == WorkflowNodeReader.CatchEdge ? "catch" : "next")}", $"the edge to '{edges[edge].To}' makes a cycle ({string.Join(" → ", cycle)})",
                        "edges must not form a cycle; to repeat steps put them in a loop node ('kind: loop' with 'max_iterations' and 'until')");
                }
                else if (state[to] == 0)
                {
                    Visit(to);
                }
            }

            stack.RemoveAt(stack.Count - 1);
            state[node] = 2;
        }

        string Id(int i) => list.Children[i] is YamlMappingNode m && _index.Of(m) is { } n ? n.Id : $"#{i + 1}";

        for (var i = 0; i < count; i++)
        {
            if (state[i] == 0)
            {
                Visit(i);
            }
        }
    }

    /// <summary>Reads a nested list of nodes for <see cref="WorkflowNodeReader"/>.</summary>
    internal WorkflowGraph? Graph(YamlNode? node, YamlNode owner, string field, GraphContext context) => ReadGraph(node, owner, field, context);

    /// <summary>Reads and checks a template field.</summary>
    internal string? Template(YamlFields fields, string key, GraphContext context, bool required = false, string? fix = null)
    {
        var text = fields.Text(key, required, fix);
        if (text is null)
        {
            return null;
        }

        CheckTemplate(fields.Get(key)!, fields.Name(key), text, context);
        return text;
    }

    /// <summary>Checks one template's syntax and paths.</summary>
    internal void CheckTemplate(YamlNode node, string field, string text, GraphContext context)
    {
        try
        {
            var template = Expressions.WorkflowTemplate.Parse(text);
            CheckPaths(node, field, template.PathList, context);
        }
        catch (FormatException ex)
        {
            problems.Add(node, field, $"invalid template at {ex.Message}", "insert values as {{ path }}, optionally with '| json'");
        }
    }

    /// <summary>Reads and checks a condition.</summary>
    internal void CheckCondition(YamlNode node, string field, string text, GraphContext context)
    {
        try
        {
            var condition = Expressions.WorkflowCondition.Parse(text);
            CheckPaths(node, field, condition.PathList, context);
        }
        catch (FormatException ex)
        {
            problems.Add(node, field, $"invalid condition at {ex.Message}",
                "write a condition such as nodes.test.exit_code == 0 (operators: == != < <= > >= contains and or not)");
        }
    }

    private void CheckPaths(YamlNode node, string field, IReadOnlyList<Expressions.WorkflowPath> paths, GraphContext context)
    {
        foreach (var path in paths)
        {
            var names = path.Names;
            var second = names.Count > 1 ? names[1] : null;
            switch (names[0])
            {
                case "inputs" when second is not null && !context.Scope.Inputs.Contains(second):
                    var declared = context.Scope.Inputs.Count == 0 ? "none are declared" : $"declared: {string.Join(", ", context.Scope.Inputs)}";
                    problems.Add(node, field, $"'{path}' names no input of this workflow",
                        context.Scope.Owner is null
                            ? $"{WorkflowProblems.DidYouMean(second, context.Scope.Inputs)}declare it under 'inputs:' ({declared})"
                            : $"{WorkflowProblems.DidYouMean(second, context.Scope.Inputs)}an inline workflow sees only the inputs its node gives it; add it to 'inputs:' of '{context.Scope.Owner}' ({declared})");
                    break;
                case "nodes" when second is not null:
                    CheckNodePath(node, field, path, names, context);
                    break;
                case "loop" when !context.InLoop:
                    problems.Add(node, field, $"'{path}' is only defined inside a loop's body", "move this node into a loop's 'nodes', or remove the reference");
                    break;
                case "loop" when second is not null and not "iteration":
                    problems.Add(node, field, $"'{path}' is not defined", "a loop gives only 'loop.iteration' (1-based)");
                    break;
                case "run" when second is not null and not "id":
                    problems.Add(node, field, $"'{path}' is not defined", "a run gives only 'run.id'");
                    break;
                case "workflow" when second is not null and not "name":
                    problems.Add(node, field, $"'{path}' is not defined", "use 'workflow.name'");
                    break;
                case "inputs" or "nodes" or "loop" or "run" or "workflow":
                    break;
                default:
                    problems.Add(node, field, $"'{path}' does not start with inputs, nodes, loop, run or workflow",
                        $"{WorkflowProblems.DidYouMean(names[0], WorkflowVocabulary.PathRoots)}write a path such as inputs.<name> or nodes.<id>.<field>");
                    break;
            }
        }
    }

    private void CheckNodePath(YamlNode node, string field, Expressions.WorkflowPath path, IReadOnlyList<string> names, GraphContext context)
    {
        var id = names[1];
        if (!context.Scope.Nodes.TryGetValue(id, out var target))
        {
            var elsewhere = _index.All.TryGetValue(id, out var other)
                ? $"'{id}' is in {other.Where}, which this workflow cannot see; "
                : WorkflowProblems.DidYouMean(id, context.Scope.Nodes.Keys);
            problems.Add(node, field, $"'{path}' names no node of this workflow", $"{elsewhere}use the id of a node (nodes.<id>.<field>)");
            return;
        }

        if (names.Count > 2 && target.Kind is not null && WorkflowVocabulary.KindOutputs.TryGetValue(target.Kind, out var outputs)
            && !outputs.Contains(names[2]) && !WorkflowVocabulary.FailureOutputs.Contains(names[2]))
        {
            problems.Add(node, field, $"'{path}' reads no output of {target.Kind} node '{id}'",
                $"{WorkflowProblems.DidYouMean(names[2], outputs)}a{(target.Kind is "agent" ? "n" : string.Empty)} {target.Kind} node's outputs are: {string.Join(", ", outputs)}");
        }
    }

    private static string LastPart(string field) => field[(field.LastIndexOf('.') + 1)..];

    /// <summary>Node ids and input names: a letter or '_' then letters, digits, '_' and '-'.</summary>
    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_-]*$", RegexOptions.CultureInvariant)]
    internal static partial Regex IdentifierPattern();

    [GeneratedRegex("[^a-z0-9-]+", RegexOptions.CultureInvariant)]
    private static partial Regex InvalidNameCharacters();
}
