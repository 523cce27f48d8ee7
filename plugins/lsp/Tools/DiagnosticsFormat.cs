using System.Text;
using AgentHost.Plugins.Lsp.Protocol;

namespace AgentHost.Plugins.Lsp.Tools;

/// <summary>Compact text for diagnostics: a count line, then errors first, capped.</summary>
internal static class DiagnosticsFormat
{
    public static string Counts(IReadOnlyList<LspDiagnostic> items)
    {
        var errors = items.Count(d => d.Severity == 1);
        var warnings = items.Count(d => d.Severity == 2);
        var others = items.Count - errors - warnings;
        var parts = new List<string> { Plural(errors, "error"), Plural(warnings, "warning") };
        if (others > 0)
        {
            parts.Add($"{others} info/hint");
        }

        return string.Join(", ", parts);
    }

    public static void AppendFile(StringBuilder text, string relative, string server, IReadOnlyList<LspDiagnostic> items, int max)
    {
        if (items.Count == 0)
        {
            text.Append("LSP (").Append(server).Append("): no problems in ").Append(relative).Append('.').Append('\n');
            return;
        }

        text.Append("LSP (").Append(server).Append("): ").Append(Counts(items)).Append(" in ").Append(relative).Append('\n');
        foreach (var d in items.Take(max))
        {
            text.Append("  ").Append(d.SeverityName).Append(' ').Append(relative).Append(':').Append(d.Line).Append(':').Append(d.Column)
                .Append(' ').Append(OneLine(d.Message));
            if (d.Source is not null || d.Code is not null)
            {
                text.Append(" [").Append(string.Join(' ', new[] { d.Source, d.Code }.OfType<string>())).Append(']');
            }

            text.Append('\n');
        }

        if (items.Count > max)
        {
            text.Append("  … ").Append(items.Count - max).Append(" more (lsp_diagnostics lists them all)\n");
        }
    }

    public static string OneLine(string message)
    {
        var line = message.ReplaceLineEndings(" ").Trim();
        return line.Length <= 300 ? line : line[..300] + "…";
    }

    private static string Plural(int count, string noun) => count == 1 ? $"1 {noun}" : $"{count} {noun}s";
}
