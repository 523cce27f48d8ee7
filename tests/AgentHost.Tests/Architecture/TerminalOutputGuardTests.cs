using System.Text.RegularExpressions;
using AgentHost.Cli.Terminal;
using AgentHost.Tests.Template;

namespace AgentHost.Tests.Architecture;

/// <summary>
/// Keeps the one output path for terminal text (docs/cli.md, "Untrusted text on the terminal"): the CLI writes only
/// <c>TerminalText</c>, whose strings are neutralised; escape sequences exist only in <c>TerminalControl</c>; the few
/// writers that take a raw <see cref="TextWriter"/> are the ones whose input is terminal text already; and nothing else in
/// the product writes to the console. A new direct write fails here, naming the file and line.
/// </summary>
public sealed partial class TerminalOutputGuardTests
{
    private static readonly string Root = TemplateFeedFixture.FindRepositoryRoot();

    [Fact]
    public void EscapeSequences_AreWrittenDown_OnlyInTerminalControl()
    {
        var found = Matches(CliSources(), EscapeLiteral(), allowed: ["Terminal/TerminalControl.cs"]);

        Assert.True(found.Count == 0, "an escape character in a literal outside Terminal/TerminalControl.cs (add the sequence there, as a TerminalText): " + string.Join("; ", found));
    }

    [Fact]
    public void UnneutralizedTerminalText_IsMade_OnlyByTerminalControl()
    {
        var found = Matches(CliSources(), SequenceCall(), allowed: ["Terminal/TerminalControl.cs", "Terminal/TerminalText.cs"]);

        Assert.True(found.Count == 0, "TerminalText.Sequence is the CLI's own escape sequences, made only in Terminal/TerminalControl.cs: " + string.Join("; ", found));
    }

    [Fact]
    public void TheRawWriterUnderATerminalWriter_IsUsedOnlyByWritersOfTerminalText()
    {
        var found = Matches(CliSources(), RawWriter(), allowed: ["Interaction/TerminalWriter.cs", "Interaction/ConsoleInteraction.cs", "Chat/LiveArea.cs", "Rendering/MarkdownAnswerWriter.cs"]);

        Assert.True(found.Count == 0, "TerminalWriter.Raw bypasses the sanitizer; write TerminalText (a string is neutralised) instead: " + string.Join("; ", found));
    }

    [Fact]
    public void NothingButTheConsoleService_WritesToTheProcessConsole()
    {
        var sources = Directory.EnumerateFiles(Path.Combine(Root, "src"), "*.cs", SearchOption.AllDirectories)
            .Concat(Directory.EnumerateFiles(Path.Combine(Root, "plugins"), "*.cs", SearchOption.AllDirectories))
            .Where(NotBuildOutput);
        var found = Matches(sources, ProcessConsole(), allowed: ["src/AgentHost.Cli/Interaction/ConsoleInteraction.cs", "src/AgentHost.Cli/Startup/Program.cs"], relativeTo: Root);

        Assert.True(found.Count == 0, "a direct write to System.Console; write through IConsoleInteraction (the CLI) or an event (components, plugins): " + string.Join("; ", found));
    }

    [Fact]
    public void SpectreConsole_IsCreated_OnlyWhereItsInputIsNeutralized()
    {
        var found = Matches(CliSources(), SpectreConsole(), allowed: ["Rendering/MarkdownAnswerWriter.cs"]);

        Assert.True(found.Count == 0, "Spectre.Console draws markup: only MarkdownAnswerWriter, which neutralises and escapes every piece of text first, may create one: " + string.Join("; ", found));
    }

    [Fact]
    public void TheGuards_FindWhatTheyLookFor()
    {
        // The patterns themselves, on the kinds of line they must catch (a guard that matches nothing holds nothing).
        Assert.Matches(EscapeLiteral(), "var s = \"\\u001b[2K\";");
        Assert.Matches(EscapeLiteral(), "var s = \"\\x1b]0;\";");
        Assert.Matches(EscapeLiteral(), "var s = \"\\e[1A\";");
        Assert.Matches(EscapeLiteral(), "var s = \"\\u009b\";");
        Assert.Matches(ProcessConsole(), "System.Console.Out.Write(text);");
        Assert.Matches(ProcessConsole(), "Console.Error.WriteLine(text);");
        Assert.Matches(ProcessConsole(), "Console.WriteLine(text);");
        Assert.DoesNotMatch(ProcessConsole(), "Console.WriteInfo(text);");
        Assert.DoesNotMatch(ProcessConsole(), "context.Console.WriteLine(text);");
        Assert.Matches(RawWriter(), "terminal.Raw.Write(text);");
        Assert.Matches(SequenceCall(), "TerminalText.Sequence(text)");
        Assert.Matches(SpectreConsole(), "AnsiConsole.Create(settings)");
    }

    private static IEnumerable<string> CliSources() =>
        Directory.EnumerateFiles(Path.Combine(Root, "src", "AgentHost.Cli"), "*.cs", SearchOption.AllDirectories).Where(NotBuildOutput);

    private static bool NotBuildOutput(string path) =>
        !path.Split(Path.DirectorySeparatorChar).Any(part => part is "obj" or "bin");

    private static List<string> Matches(IEnumerable<string> files, Regex pattern, string[] allowed, string? relativeTo = null)
    {
        var found = new List<string>();
        foreach (var file in files)
        {
            var relative = Path.GetRelativePath(relativeTo ?? Path.Combine(Root, "src", "AgentHost.Cli"), file).Replace(Path.DirectorySeparatorChar, '/');
            if (allowed.Contains(relative, StringComparer.Ordinal))
            {
                continue;
            }

            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                var code = lines[i].TrimStart();
                if (!code.StartsWith("//", StringComparison.Ordinal) && pattern.IsMatch(code))
                {
                    found.Add($"{relative}:{i + 1}: {code}");
                }
            }
        }

        return found;
    }

    /// <summary>ESC or CSI as a C# escape in a literal: <c>\u001b</c>, <c>\x1b</c>, <c>\e</c>, <c>\u009b</c>, <c>\x9b</c>.</summary>
    [GeneratedRegex(@"\\(u001[bB]|x0{0,2}1[bB](?![0-9a-fA-F])|e|u009[bB]|x0{0,2}9[bB](?![0-9a-fA-F]))")]
    private static partial Regex EscapeLiteral();

    [GeneratedRegex(@"\bTerminalText\.Sequence\(")]
    private static partial Regex SequenceCall();

    [GeneratedRegex(@"\.Raw\b")]
    private static partial Regex RawWriter();

    /// <summary>The process's console (not the <c>Console</c> property of a command, which is the console service).</summary>
    [GeneratedRegex(@"(?<![\w.])(System\.)?Console\.(Out|Error|Write|WriteLine|OpenStandardOutput|OpenStandardError)\b|(?<=\bSystem\.)Console\.(Out|Error|Write|WriteLine)\b")]
    private static partial Regex ProcessConsole();

    [GeneratedRegex(@"\bAnsiConsole\.")]
    private static partial Regex SpectreConsole();
}
