using AgentHost.Workflows.Model;
using YamlDotNet.RepresentationModel;

namespace AgentHost.Workflows.Parsing;

/// <content>Shell nodes: a command without insertions, and the values it reads as environment variables.</content>
internal sealed partial class WorkflowNodeReader
{
    private ShellNode? ReadShell(YamlFields fields, string? id, GraphContext context)
    {
        var command = fields.Text("command", required: true, fix: "add 'command:' with the command line to run");
        if (command is not null)
        {
            CheckNoInsertions(fields.Get("command")!, fields.Name("command"), command);
        }

        var environment = ReadEnvironment(fields, context);
        var timeout = fields.Duration("timeout");
        var failOnError = fields.Boolean("fail_on_error");
        var idempotent = fields.Boolean("idempotent");
        return command is null || id is null || environment is null
            ? null
            : new ShellNode(id, command)
            {
                Timeout = timeout ?? ShellNode.DefaultTimeout,
                FailOnError = failOnError ?? false,
                Environment = environment,
                Idempotent = idempotent ?? false,
            };
    }

    /// <summary>
    /// A shell command is shell source: a <c>{{ … }}</c> in it would insert a value there, where the shell would run
    /// it as code (docs/workflows.md "Shell nodes and values"). Each one is a problem at its own line, with the
    /// variable to use instead.
    /// </summary>
    private void CheckNoInsertions(YamlNode node, string field, string command)
    {
        if (!command.Contains("{{", StringComparison.Ordinal))
        {
            return;
        }

        const string Why = "would insert a value into shell source, where the shell would run it as code";
        var position = 0;
        while ((position = command.IndexOf("{{", position, StringComparison.Ordinal)) >= 0)
        {
            var close = command.IndexOf("}}", position + 2, StringComparison.Ordinal);
            var text = close < 0 ? command[position..] : command[position..(close + 2)];
            var fix = "values reach shell commands as environment variables: write \"$AGENT_INPUT_<NAME>\" for an input, or give the node 'env: { NAME: \"{{ … }}\" }' and write \"$NAME\"";
            if (close >= 0)
            {
                // The path without its filters (a '| raw' that once meant "unquoted" included).
                var path = command[(position + 2)..close].Split('|')[0].Trim();
                try
                {
                    fix = Expressions.ShellVariables.Fix(Expressions.WorkflowTemplate.Parse("{{ " + path + " }}").PathList[0]);
                }
                catch (FormatException)
                {
                    // Not a path at all: the general fix.
                }
            }

            problems.Add(LineOf(node, command, position), field, $"'{text}' {Why}", fix);
            position = close < 0 ? command.Length : close + 2;
        }
    }

    /// <summary>The 1-based line of the character at <paramref name="index"/> of a scalar's value (a block scalar's text starts on the line after its indicator).</summary>
    private static int LineOf(YamlNode node, string value, int index)
    {
        var start = (int)node.Start.Line;
        if (node is not YamlScalarNode scalar || index <= 0)
        {
            return start;
        }

        var newlines = value.AsSpan(0, Math.Min(index, value.Length)).Count('\n');
        return scalar.Style is YamlDotNet.Core.ScalarStyle.Literal or YamlDotNet.Core.ScalarStyle.Folded ? start + 1 + newlines : start + newlines;
    }

    private List<KeyValuePair<string, string>>? ReadEnvironment(YamlFields fields, GraphContext context)
    {
        if (fields.Get("env") is not { } node)
        {
            return [];
        }

        if (node is not YamlMappingNode map)
        {
            problems.Add(node, fields.Name("env"), $"must be a mapping of variable name to template, found {YamlFields.Describe(node)}",
                "write 'env: { MESSAGE: \"{{ nodes.write.text }}\" }' and refer to it as \"$MESSAGE\" in the command");
            return null;
        }

        var result = new List<KeyValuePair<string, string>>();
        var ok = true;
        foreach (var (key, value) in map.Children)
        {
            var name = (key as YamlScalarNode)?.Value ?? string.Empty;
            var field = $"{fields.Name("env")}.{name}";
            if (Expressions.ShellVariables.Refusal(name) is { } refusal)
            {
                problems.Add(key, field, refusal, "name the variable something like MESSAGE, and refer to it as \"$MESSAGE\" in the command");
                ok = false;
                continue;
            }

            if (value is not YamlScalarNode { Value: not null } scalar)
            {
                problems.Add(value, field, $"must be a template (text), found {YamlFields.Describe(value)}", $"write '{name}: \"{{{{ inputs.task }}}}\"' or a literal text");
                ok = false;
                continue;
            }

            reader.CheckTemplate(scalar, field, scalar.Value, context);
            result.Add(new(name, scalar.Value));
        }

        return ok ? result : null;
    }
}
