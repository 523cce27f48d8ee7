using System.Globalization;
using System.Text;
using System.Text.Json;
using AgentHost.Agent.Tools;
using AgentHost.Hosting.Capabilities;
using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Tools;
using Microsoft.Extensions.AI;

namespace AgentHost.Agent.Engine;

/// <summary>
/// The kernel's <c>tool_search</c>: loads deferred tools (<see cref="ToolDeferral"/>) so that the model is given their
/// definitions from its next request on. The query is tool names (all of them loaded) or words (the best matches of
/// the deferred tools' names and descriptions, at most <see cref="MaxMatches"/>). Offered only while tools are deferred.
/// </summary>
/// <remarks>Built by hand (no reflection): the schema is a constant. Thread-safe; one per <see cref="ToolPipeline"/>.</remarks>
internal sealed class ToolSearchTool : AIFunction
{
    /// <summary>The tool name.</summary>
    public const string ToolName = "tool_search";

    /// <summary>The most tools one word query loads.</summary>
    public const int MaxMatches = 5;

    private static readonly JsonElement Schema = JsonDocument.Parse(
        """{"type":"object","properties":{"query":{"type":"string","description":"Tool names, comma-separated, or words describing the task."}},"required":["query"]}""").RootElement.Clone();

    /// <summary>Words that say nothing about which tool is meant.</summary>
    private static readonly HashSet<string> StopWords = new(
        ["the", "an", "to", "of", "and", "or", "in", "on", "for", "with", "by", "from", "is", "it", "its", "this", "that", "as", "at", "be", "tool", "tools"],
        StringComparer.Ordinal);

    private readonly ToolPipeline _pipeline;

    private ToolSearchTool(ToolPipeline pipeline) => _pipeline = pipeline;

    public override string Name => ToolName;

    public override string Description =>
        "Loads deferred tools by name or by words describing the need; call them from the next step.";

    public override JsonElement JsonSchema => Schema;

    /// <summary>The tool for a pipeline, registered as plugin <c>kernel</c>.</summary>
    /// <param name="pipeline">The pipeline whose deferred tools it loads.</param>
    /// <returns>The registration.</returns>
    public static RegisteredCapability Create(ToolPipeline pipeline) => new(
        new ToolCapability(new ToolSearchTool(pipeline), new ToolMetadata(ToolEffect.None) { Deferred = false, DescribeCall = Describe }),
        Skills.SkillTool.KernelPluginId,
        typeof(ToolSearchTool).Assembly.GetName().Version?.ToString(3) ?? "0.0.0");

    /// <summary>
    /// The deferred tools a query selects: every named one when it names tools, else the best word matches (a word in
    /// the name counts 3, in the description 1; common words are ignored; tools under half the best score are left out).
    /// </summary>
    /// <param name="deferred">The deferred tools.</param>
    /// <param name="query">The query.</param>
    /// <returns>The selected tools, in the query's order (names) or best first (words).</returns>
    public static IReadOnlyList<DeferredTool> Select(IReadOnlyList<DeferredTool> deferred, string query)
    {
        var words = query.Split([',', ' ', '\t', '\n', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(w => w.StartsWith("select:", StringComparison.OrdinalIgnoreCase) ? w[7..] : w)
            .Where(w => w.Length > 0)
            .ToList();
        var byName = deferred.ToDictionary(d => d.Name, StringComparer.OrdinalIgnoreCase);
        if (words.Count > 0 && words.All(byName.ContainsKey))
        {
            return [.. words.Select(w => byName[w]).Distinct()];
        }

        var terms = words.Select(w => w.ToLowerInvariant()).Where(w => w.Length >= 2 && !StopWords.Contains(w)).Distinct().ToList();
        var scored = deferred.Select(tool => (Tool: tool, Score: Score(tool, terms))).Where(s => s.Score > 0).ToList();
        var best = scored.Count == 0 ? 0 : scored.Max(s => s.Score);
        // The best matches only: a tool scoring under half the best is noise ("changes" in a description).
        return [.. scored
            .Where(s => s.Score * 2 >= best)
            .OrderByDescending(s => s.Score)
            .ThenBy(s => s.Tool.Name, StringComparer.Ordinal)
            .Take(MaxMatches)
            .Select(s => s.Tool)];
    }

    protected override ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken)
    {
        var query = arguments.TryGetValue("query", out var value) && value is not null ? ToolJson.ResultToText(value).Trim() : string.Empty;
        if (query.Length == 0)
        {
            throw new ArgumentException("'query' is empty: pass tool names from <deferred_tools>, or words describing what you need.");
        }

        var deferred = _pipeline.GetToolSet().Deferred;
        var selected = Select(deferred, query);
        if (selected.Count == 0)
        {
            var names = deferred.Count == 0 ? "none" : string.Join(", ", deferred.Select(d => d.Name));
            return ValueTask.FromResult<object?>($"No deferred tool matches '{query}'. Deferred tools: {names}.");
        }

        var loaded = _pipeline.LoadTools(selected.Select(s => s.Name));
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Loaded {selected.Count} tool{(selected.Count == 1 ? string.Empty : "s")}; call {(selected.Count == 1 ? "it" : "them")} from your next step:");
        foreach (var tool in selected)
        {
            text.Append("\n- ").Append(tool.Name);
            if (tool.Summary.Length > 0)
            {
                text.Append(": ").Append(tool.Summary);
            }

            if (!loaded.Contains(tool.Name))
            {
                text.Append(" (already loaded)");
            }
        }

        return ValueTask.FromResult<object?>(text.ToString());
    }

    private static int Score(DeferredTool tool, List<string> terms)
    {
        var score = 0;
        var description = tool.Declaration.Description;
        foreach (var term in terms)
        {
            if (tool.Name.Contains(term, StringComparison.OrdinalIgnoreCase))
            {
                score += 3;
            }
            else if (description.Contains(term, StringComparison.OrdinalIgnoreCase))
            {
                score++;
            }
        }

        return score;
    }

    private static ToolCallDescription Describe(AIFunctionArguments arguments) =>
        new("load tools", arguments.TryGetValue("query", out var value) ? value?.ToString() : null);
}
