using System.Text.RegularExpressions;
using System.Xml.Linq;
using AgentHost.Tests.Template;

namespace AgentHost.Tests.Architecture;

/// <summary>
/// The no-blocking-wait rule (docs/architecture.md): every project under src/ and plugins/ compiles with the banned-API
/// analyzer and eng/BannedSymbols.txt, so a synchronous wait on a task is error RS0030, and at most three places
/// suppress it, each with its reason. The analyzer does the finding; this keeps the rule from being switched off.
/// </summary>
public sealed partial class BlockingWaitRuleTests
{
    private const int MaxAllowed = 3;
    private static readonly string Root = TemplateFeedFixture.FindRepositoryRoot();
    private static readonly string[] Scanned = ["src", "plugins"];

    [Fact]
    public void AtMostThreePlaces_SuppressTheRule_EachWithItsReason()
    {
        var suppressions = Suppressions(RuleFiles().Select(file => (Path.GetRelativePath(Root, file).Replace('\\', '/'), File.ReadAllText(file)))).ToList();

        Assert.True(suppressions.Count <= MaxAllowed, $"{suppressions.Count} suppressions of RS0030 (at most {MaxAllowed}):\n{string.Join("\n", suppressions)}");
        Assert.All(suppressions, s => Assert.True(s.Reason.Length > 0, $"{s.File}: a suppression of RS0030 without its reason"));
    }

    [Fact]
    public void TheScan_FindsEveryWayOfSuppressingTheRule()
    {
        // A fourth suppression fails the test above: each way of writing one is found.
        (string, string)[] files =
        [
            ("src/A.cs", "#pragma warning disable RS0030 // a reason\nx();\n#pragma warning restore RS0030\n"),
            ("src/B.cs", "#pragma warning disable CA1031, RS0030\n"),
            ("src/C.cs", "[SuppressMessage(\"ApiDesign\", \"RS0030:Do not use banned APIs\")]\n"),
            ("src/.editorconfig", "[*.cs]\ndotnet_diagnostic.RS0030.severity = none\n"),
            ("plugins/x/x.csproj", "<NoWarn>$(NoWarn);RS0030</NoWarn>"),
            ("src/D.cs", "#pragma warning restore RS0030\n// RS0030 mentioned in a comment\n"),
        ];

        var found = Suppressions(files).ToList();

        Assert.Equal(["src/A.cs", "src/B.cs", "src/C.cs", "src/.editorconfig", "plugins/x/x.csproj"], found.Select(s => s.File));
        Assert.Equal("a reason", found[0].Reason);
        Assert.Equal(string.Empty, found[1].Reason);
        Assert.True(found.Count > MaxAllowed);
    }

    [Fact]
    public void EveryProjectUnderSrcAndPlugins_GetsTheBannedSymbols_AndNoneOptsOut()
    {
        var props = XDocument.Load(Path.Combine(Root, "Directory.Build.props"));
        var group = props.Descendants("AdditionalFiles").Single(e => e.Attribute("Include")?.Value.EndsWith("eng/BannedSymbols.txt", StringComparison.Ordinal) == true).Parent!;
        var condition = group.Attribute("Condition")?.Value ?? string.Empty;
        Assert.Contains("StartsWith('src/')", condition, StringComparison.Ordinal);
        Assert.Contains("StartsWith('plugins/')", condition, StringComparison.Ordinal);
        Assert.Contains(group.Elements("PackageReference"), e => e.Attribute("Include")?.Value == "Microsoft.CodeAnalysis.BannedApiAnalyzers");
        Assert.True(File.Exists(Path.Combine(Root, "eng", "BannedSymbols.txt")));

        // Nothing under src/ or plugins/ removes the file or the analyzer, turns analyzers off or sets the path it is decided on.
        var optingOut = RuleFiles()
            .Where(file => !file.EndsWith(".cs", StringComparison.Ordinal) && file != Path.Combine(Root, "Directory.Build.props"))
            .Where(file => OptOut().IsMatch(File.ReadAllText(file)))
            .Select(file => Path.GetRelativePath(Root, file))
            .ToList();
        Assert.Empty(optingOut);

        // A Directory.Build.props below the root imports the one above it, so the root's rule reaches every project.
        var nested = RuleFiles().Where(file => Path.GetFileName(file) == "Directory.Build.props" && file != Path.Combine(Root, "Directory.Build.props")).ToList();
        Assert.All(nested, file => Assert.Contains("GetPathOfFileAbove('Directory.Build.props'", File.ReadAllText(file), StringComparison.Ordinal));
        Assert.Contains(RuleFiles(), file => file.EndsWith(".csproj", StringComparison.Ordinal));
    }

    /// <summary>Each suppression of RS0030 in the given files: a pragma, an attribute, an analyzer-config severity or a NoWarn.</summary>
    private static IEnumerable<(string File, string Reason)> Suppressions(IEnumerable<(string File, string Text)> files)
    {
        foreach (var (file, text) in files)
        {
            foreach (var line in text.Split('\n'))
            {
                if (Pragma().Match(line) is { Success: true } pragma)
                {
                    yield return (file, pragma.Groups["reason"].Value.Trim());
                }
                else if (line.Contains("RS0030", StringComparison.Ordinal) && (line.Contains("SuppressMessage", StringComparison.Ordinal)
                    || line.Contains("dotnet_diagnostic.RS0030", StringComparison.Ordinal) || line.Contains("NoWarn", StringComparison.Ordinal)
                    || line.Contains("WarningsNotAsErrors", StringComparison.Ordinal)))
                {
                    yield return (file, string.Empty);
                }
            }
        }
    }

    /// <summary>The source, project and analyzer-config files under src/ and plugins/, and the repository's own configs.</summary>
    private static IEnumerable<string> RuleFiles()
    {
        string[] patterns = ["*.cs", "*.csproj", "*.props", "*.targets", ".editorconfig", "*.globalconfig"];
        var under = Scanned
            .SelectMany(folder => patterns.SelectMany(pattern => Directory.EnumerateFiles(Path.Combine(Root, folder), pattern, SearchOption.AllDirectories)))
            .Where(file => !file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !file.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal));
        string[] shared = [".editorconfig", "Directory.Build.props", "Directory.Packages.props", .. Directory.EnumerateFiles(Path.Combine(Root, "eng"), "*.globalconfig").Select(f => Path.GetRelativePath(Root, f))];
        return under.Concat(shared.Select(file => Path.Combine(Root, file)).Where(File.Exists)).Distinct();
    }

    [GeneratedRegex(@"#pragma\s+warning\s+disable\s+[^/]*\bRS0030\b(?:[^/]*//(?<reason>.*))?")]
    private static partial Regex Pragma();

    [GeneratedRegex(@"Remove=""[^""]*(BannedSymbols|BannedApiAnalyzers)|<RunAnalyzers>\s*false|<AgentProjectFolder>")]
    private static partial Regex OptOut();
}
