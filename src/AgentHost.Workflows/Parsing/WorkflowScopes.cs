using YamlDotNet.RepresentationModel;

namespace AgentHost.Workflows.Parsing;

/// <summary>What one workflow (the file, or an inline sub-workflow) can see: its inputs and its nodes.</summary>
/// <param name="Inputs">The input names <c>inputs.&lt;name&gt;</c> may use.</param>
/// <param name="Owner">The inline sub-workflow node's id; null for the file's workflow.</param>
internal sealed record WorkflowScope(IReadOnlyCollection<string> Inputs, string? Owner)
{
    /// <summary>The nodes of this workflow, nested loops and branches included (not inline sub-workflows').</summary>
    public Dictionary<string, IndexedNode> Nodes { get; } = new(StringComparer.Ordinal);
}

/// <summary>A node found by the first pass over the file.</summary>
/// <param name="Id">Its id.</param>
/// <param name="Kind">Its kind as written (may be unknown).</param>
/// <param name="Line">Its line.</param>
/// <param name="Order">Its position in the file (pre-order).</param>
/// <param name="List">The <c>nodes</c> list it is in.</param>
/// <param name="Where">That list, for messages (<c>the body of loop 'verify'</c>).</param>
internal sealed record IndexedNode(string Id, string? Kind, int Line, int Order, YamlSequenceNode List, string Where);

/// <summary>Where a list of nodes is read: its workflow scope, whether inside a loop body, and its description.</summary>
/// <param name="Scope">The workflow scope.</param>
/// <param name="InLoop">Whether <c>loop.*</c> is defined.</param>
/// <param name="Where">The list, for messages.</param>
internal sealed record GraphContext(WorkflowScope Scope, bool InLoop, string Where);

/// <summary>The first pass: every node id of the file with its kind, list and workflow scope; duplicate ids reported.</summary>
internal sealed class NodeIndex
{
    private readonly Dictionary<string, IndexedNode> _all = new(StringComparer.Ordinal);
    private readonly Dictionary<YamlMappingNode, IndexedNode> _byMap = new(ReferenceEqualityComparer.Instance);
    private readonly WorkflowProblems _problems;
    private int _order;

    /// <summary>Indexes a file's nodes.</summary>
    /// <param name="problems">Where duplicate ids are reported.</param>
    public NodeIndex(WorkflowProblems problems) => _problems = problems;

    /// <summary>Every id of the file.</summary>
    public IReadOnlyDictionary<string, IndexedNode> All => _all;

    /// <summary>The inline sub-workflow scopes by their node's mapping.</summary>
    public Dictionary<YamlMappingNode, WorkflowScope> InlineScopes { get; } = new(ReferenceEqualityComparer.Instance);

    /// <summary>The entry of a node mapping, when it has a usable id.</summary>
    /// <param name="map">The node's mapping.</param>
    /// <returns>The entry.</returns>
    public IndexedNode? Of(YamlMappingNode map) => _byMap.GetValueOrDefault(map);

    /// <summary>Indexes a list of nodes and everything nested in it.</summary>
    /// <param name="list">The list (anything else is ignored here and reported by the second pass).</param>
    /// <param name="scope">The workflow scope.</param>
    /// <param name="where">The list, for messages.</param>
    public void Add(YamlNode? list, WorkflowScope scope, string where)
    {
        if (list is not YamlSequenceNode sequence)
        {
            return;
        }

        foreach (var item in sequence.Children.OfType<YamlMappingNode>())
        {
            var id = Scalar(item, "id");
            var kind = Scalar(item, "kind");
            var order = _order++;
            if (id is not null)
            {
                var entry = new IndexedNode(id, kind, (int)item.Start.Line, order, sequence, where);
                if (_all.TryGetValue(id, out var first))
                {
                    _problems.Add(item.Children[new YamlScalarNode("id")], $"{id}.id", $"id '{id}' is already used on line {first.Line}",
                        "ids are unique in the whole file, nested nodes included; rename one of them");
                }
                else
                {
                    _all[id] = entry;
                    _byMap[item] = entry;
                    scope.Nodes[id] = entry;
                }
            }

            var name = id ?? "?";
            switch (kind)
            {
                case "loop":
                    Add(Get(item, "nodes"), scope, $"the body of loop '{name}'");
                    break;
                case "parallel" when Get(item, "branches") is YamlMappingNode branches:
                    foreach (var (key, value) in branches.Children)
                    {
                        Add(value, scope, $"branch '{(key as YamlScalarNode)?.Value}' of parallel '{name}'");
                    }

                    break;
                case "workflow" when Get(item, "nodes") is YamlSequenceNode:
                    var inputs = Get(item, "inputs") is YamlMappingNode map
                        ? map.Children.Keys.OfType<YamlScalarNode>().Select(k => k.Value ?? string.Empty).ToList()
                        : [];
                    var inline = new WorkflowScope(inputs, name);
                    InlineScopes[item] = inline;
                    Add(Get(item, "nodes"), inline, $"inline workflow '{name}'");
                    break;
            }
        }
    }

    private static YamlNode? Get(YamlMappingNode map, string key) => map.Children.TryGetValue(new YamlScalarNode(key), out var node) ? node : null;

    private static string? Scalar(YamlMappingNode map, string key) => Get(map, key) is YamlScalarNode { Value: { Length: > 0 } value } ? value : null;
}
