using System.Reflection;
using System.Text.RegularExpressions;
using AgentHost.Tests.Skills;

namespace AgentHost.Tests.Cli;

/// <summary>
/// Tests name exit codes (<c>ExitCodes.NotFound</c>), so a renumbered code would pass them all while breaking every
/// script that checks <c>$?</c>: the numbers themselves are pinned here to the table users read in docs/cli.md.
/// </summary>
public sealed partial class ExitCodesTests
{
    [Fact]
    public void EveryExitCode_HasTheNumberAndNameDocsCliMdGives_AndTheTableListsNoOther()
    {
        var documented = DocumentedCodes();
        var declared = typeof(ExitCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(int))
            .ToDictionary(f => f.Name, f => (int)f.GetRawConstantValue()!);

        Assert.Equal(14, declared.Count);
        Assert.Equal(declared.OrderBy(p => p.Value), documented.OrderBy(p => p.Value));
    }

    private static Dictionary<string, int> DocumentedCodes()
    {
        var text = File.ReadAllText(Path.Combine(SkillFiles.RepositoryRoot, "docs", "cli.md"));
        var table = text[text.IndexOf("## Exit codes", StringComparison.Ordinal)..];
        return TableRow().Matches(table)
            .ToDictionary(
                m => string.Concat(m.Groups["name"].Value.Split(' ').Select(w => char.ToUpperInvariant(w[0]) + w[1..])),
                m => int.Parse(m.Groups["code"].Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"^\| (?<code>\d+) \| (?<name>[a-z ]+) \|", RegexOptions.Multiline)]
    private static partial Regex TableRow();
}
