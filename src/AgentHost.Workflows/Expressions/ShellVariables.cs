using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AgentHost.Workflows.Model;

namespace AgentHost.Workflows.Expressions;

/// <summary>
/// How values reach a shell node's command (docs/workflows.md "Shell nodes and values"): as environment variables,
/// never as its text. Every input of the workflow is <c>AGENT_INPUT_&lt;NAME&gt;</c> (upper case, <c>-</c> written
/// <c>_</c>), the run's id <c>AGENT_RUN_ID</c>, the workflow's name <c>AGENT_WORKFLOW</c>, a loop's iteration
/// <c>AGENT_LOOP_ITERATION</c>, and the node's <c>env:</c> entries (name → template) add any other value.
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
internal static partial class ShellVariables
{
    /// <summary>The prefix of the inputs' variables.</summary>
    public const string InputPrefix = "AGENT_INPUT_";

    /// <summary>The run's id.</summary>
    public const string RunId = "AGENT_RUN_ID";

    /// <summary>The name of the workflow the node is in.</summary>
    public const string Workflow = "AGENT_WORKFLOW";

    /// <summary>The iteration of the loop the node is in (1-based).</summary>
    public const string LoopIteration = "AGENT_LOOP_ITERATION";

    private static readonly string[] ProgramVariables = ["PATH", "IFS", "ENV", "BASH_ENV", "SHELLOPTS", "BASHOPTS", "CDPATH", "PS4", "PROMPT_COMMAND", "PYTHONPATH", "NODE_OPTIONS", "PERL5OPT", "RUBYOPT", "GIT_EXEC_PATH"];
    private static readonly string[] ProgramPrefixes = ["LD_", "DYLD_", "BASH_FUNC_"];

    /// <summary>The variable of an input: <c>AGENT_INPUT_TEST_COMMAND</c> for <c>test_command</c> (or <c>test-command</c>).</summary>
    /// <param name="input">The input's name.</param>
    /// <returns>The variable's name.</returns>
    public static string OfInput(string input) => InputPrefix + input.ToUpperInvariant().Replace('-', '_');

    /// <summary>Why a node's <c>env:</c> may not set <paramref name="name"/>, or <see langword="null"/> when it may.</summary>
    /// <param name="name">The variable's name.</param>
    /// <returns>The reason, or null.</returns>
    public static string? Refusal(string name)
    {
        if (!NamePattern().IsMatch(name))
        {
            return $"'{name}' is not a variable name; use letters, digits and '_', starting with a letter or '_'";
        }

        if (name.StartsWith("AGENT_", StringComparison.Ordinal))
        {
            return $"'{name}' is reserved: names starting with AGENT_ are the host's ({InputPrefix}<NAME>, {RunId}, {Workflow}, {LoopIteration}); pick another name";
        }

        return ProgramVariables.Contains(name, StringComparer.Ordinal) || ProgramPrefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal))
            ? $"'{name}' changes which programs run or how they read their code, so a value in it would be code, not data; pick another name"
            : null;
    }

    /// <summary>How to refer to what <paramref name="path"/> names in a shell command, for the validation message.</summary>
    /// <param name="path">The path a <c>{{ … }}</c> in a command inserts.</param>
    /// <returns>The fix.</returns>
    public static string Fix(WorkflowPath path)
    {
        var names = path.Names;
        var fixedName = (names.Count == 2, names[0], names.Count > 1 ? names[1] : string.Empty) switch
        {
            (true, "inputs", var input) => OfInput(input),
            (true, "loop", "iteration") => LoopIteration,
            (true, "run", "id") => RunId,
            (true, "workflow", "name") => Workflow,
            _ => null,
        };
        if (fixedName is not null)
        {
            return $"write \"${fixedName}\" (in double quotes) instead: the value is in that environment variable";
        }

        var suggested = string.Join('_', names.Skip(names[0] == "nodes" ? 1 : 0).Select(n => NonName().Replace(n, "_").ToUpperInvariant())).Trim('_');
        if (suggested.Length == 0 || !char.IsAsciiLetter(suggested[0]) || Refusal(suggested) is not null)
        {
            suggested = "VALUE";
        }

        return $"give the node 'env: {{ {suggested}: \"{{{{ {path.Text} }}}}\" }}' and write \"${suggested}\" (in double quotes) in the command";
    }

    /// <summary>The variables a shell node runs with, for the scope it runs in.</summary>
    /// <param name="node">The node.</param>
    /// <param name="scope">Its scope (inputs, nodes, loop, run, workflow).</param>
    /// <param name="render">Renders one template of the node's <c>env:</c>.</param>
    /// <returns>Name → value.</returns>
    public static Dictionary<string, string?> For(ShellNode node, JsonObject scope, Func<string, string> render)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(render);
        var variables = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (scope["inputs"] is JsonObject inputs)
        {
            foreach (var (name, value) in inputs)
            {
                variables[OfInput(name)] = WorkflowValues.ToText(value);
            }
        }

        variables[RunId] = WorkflowValues.ToText(scope["run"]?["id"]);
        variables[Workflow] = WorkflowValues.ToText(scope["workflow"]?["name"]);
        if (scope["loop"]?["iteration"] is { } iteration)
        {
            variables[LoopIteration] = WorkflowValues.ToText(iteration);
        }

        foreach (var (name, template) in node.Environment)
        {
            variables[name] = render(template);
        }

        return variables;
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();

    [GeneratedRegex("[^A-Za-z0-9]+", RegexOptions.CultureInvariant)]
    private static partial Regex NonName();
}
