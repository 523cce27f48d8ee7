using System.Runtime.CompilerServices;

namespace AgentHost.Cli.Rendering;

/// <summary>A piece of a highlighted line: its text, and the colour of <see cref="CodeTheme"/> it is drawn in (<see langword="null"/>: none).</summary>
internal readonly record struct CodeSpan(string Text, string? Colour);

/// <summary>
/// Highlights the code blocks of an answer by their info string (<c>```csharp</c>, <c>```python</c>, <c>```diff</c> …)
/// with the TextMate grammars of TextMateSharp.Grammars, coloured by <see cref="CodeTheme"/>. A language it has no
/// grammar for is left plain. The grammar library (and its native regular-expression engine) is loaded at the first
/// block that names a language, not before: a run whose answers have no code block never loads it. Each language's
/// grammar is loaded once and kept. If the library cannot be loaded or a grammar fails, the blocks are drawn plain
/// from then on (highlighting is cosmetic).
/// </summary>
/// <remarks>
/// The lines given are already neutralised (<c>TerminalText.Neutralize</c>): the grammar reads the text as the
/// terminal will show it, and every span is a piece of that text. Not thread-safe: one per answer writer.
/// </remarks>
internal sealed class CodeHighlighter
{
    private TextMateGrammars? _grammars;
    private bool _unavailable;

    /// <summary>Lines longer than this are drawn plain (a grammar's regular expressions can take long on a minified file's one line).</summary>
    internal const int MaxLineLength = 2_000;

    /// <summary>Whether the grammar library has been loaded (by a block that named a language).</summary>
    public bool Loaded => _grammars is not null;

    /// <summary>
    /// The lines of a block in <paramref name="language"/> as coloured spans, or <see langword="null"/> when the language
    /// has no grammar here (or highlighting is unavailable): draw them plain.
    /// </summary>
    /// <param name="language">The block's info string (its first word names the language).</param>
    /// <param name="lines">The block's lines, neutralised.</param>
    public IReadOnlyList<IReadOnlyList<CodeSpan>>? Highlight(string? language, IReadOnlyList<string> lines)
    {
        var name = LanguageName(language);
        if (name is null || _unavailable)
        {
            return null;
        }

        try
        {
            _grammars ??= Load();
            return _grammars.Highlight(name, lines);
        }
#pragma warning disable CA1031 // Highlighting is cosmetic: a library or grammar that fails leaves the code plain, never loses it.
        catch (Exception)
#pragma warning restore CA1031
        {
            _unavailable = true;
            return null;
        }
    }

    /// <summary>The language an info string names: its first word, lower case, without a leading dot or braces (<c>{.python}</c>); <see langword="null"/> for none.</summary>
    internal static string? LanguageName(string? info)
    {
        if (string.IsNullOrWhiteSpace(info))
        {
            return null;
        }

        var word = info.Trim().Split([' ', '\t', ','], 2)[0].Trim('{', '}').TrimStart('.').ToLowerInvariant();
        return word.Length is > 0 and <= 32 ? word : null;
    }

    /// <summary>Its own method, so that the grammar library's types are met (and its assembly loaded) only when called.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static TextMateGrammars Load() => new();
}
