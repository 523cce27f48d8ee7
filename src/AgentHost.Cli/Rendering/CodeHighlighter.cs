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
    private Lazy<TextMateGrammars>? _loading;
    private bool _unavailable;

    /// <summary>Lines longer than this are drawn plain (a grammar's regular expressions can take long on a minified file's one line).</summary>
    internal const int MaxLineLength = 2_000;

    /// <summary>Whether the grammar library has been loaded, or is loading (by a block that named a language).</summary>
    public bool Loaded => _grammars is not null || _loading is not null;

    /// <summary>
    /// Starts loading the grammar library and <paramref name="language"/>'s grammar on a pool thread, once: called when
    /// a block's opening fence has streamed, so the load overlaps the rest of the block's streaming instead of holding
    /// up its drawing. Nothing happens for an info string that names no language, or once loaded.
    /// </summary>
    /// <param name="language">The opening fence's info string.</param>
    public void Prepare(string? language)
    {
        if (Loaded || _unavailable || LanguageName(language) is not { } name)
        {
            return;
        }

        var loading = new Lazy<TextMateGrammars>(
            () =>
            {
                var grammars = Load();
                grammars.Prepare(name);
                return grammars;
            },
            LazyThreadSafetyMode.ExecutionAndPublication);
        _loading = loading;
        _ = Task.Run(() => loading.Value);
    }

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
            // A load started by Prepare is joined under the lazy's lock (its failure is this block's), which orders its writes before ours.
            _grammars ??= _loading is { } loading ? loading.Value : Load();
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
