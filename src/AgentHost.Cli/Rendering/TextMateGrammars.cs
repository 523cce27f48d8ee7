using TextMateSharp.Grammars;
using TextMateSharp.Registry;

namespace AgentHost.Cli.Rendering;

/// <summary>
/// The TextMate side of <see cref="CodeHighlighter"/>: the bundled grammars' registry, a grammar per language loaded at
/// its first block and kept (or remembered as missing), and the tokenising of a block's lines into spans coloured by
/// <see cref="CodeTheme"/>. Only <see cref="CodeHighlighter"/> creates it, at the first block that names a language.
/// </summary>
internal sealed class TextMateGrammars
{
    /// <summary>How long one line may take to tokenise; the rest of a line that takes longer is drawn plain.</summary>
    private static readonly TimeSpan LineTimeLimit = TimeSpan.FromMilliseconds(200);

    /// <summary>The names models write after <c>```</c> that are neither a grammar's language id nor a file extension.</summary>
    private static readonly Dictionary<string, string> Aliases = new(StringComparer.Ordinal)
    {
        ["bash"] = "shellscript",
        ["sh"] = "shellscript",
        ["shell"] = "shellscript",
        ["zsh"] = "shellscript",
        ["console"] = "shellscript",
        ["c#"] = "csharp",
        ["cs"] = "csharp",
        ["py"] = "python",
        ["python3"] = "python",
        ["js"] = "javascript",
        ["node"] = "javascript",
        ["ts"] = "typescript",
        ["yml"] = "yaml",
        ["patch"] = "diff",
        ["udiff"] = "diff",
        ["rs"] = "rust",
        ["golang"] = "go",
        ["ps1"] = "powershell",
        ["pwsh"] = "powershell",
        ["c++"] = "cpp",
        ["f#"] = "fsharp",
        ["md"] = "markdown",
        ["rb"] = "ruby",
    };

    private readonly RegistryOptions _options = new(ThemeName.DarkPlus);
    private readonly Registry _registry;
    private readonly Dictionary<string, IGrammar?> _grammars = new(StringComparer.Ordinal);

    public TextMateGrammars() => _registry = new Registry(_options);

    /// <summary>The lines as spans, or <see langword="null"/> when <paramref name="language"/> has no grammar.</summary>
    public IReadOnlyList<IReadOnlyList<CodeSpan>>? Highlight(string language, IReadOnlyList<string> lines)
    {
        if (Grammar(language) is not { } grammar)
        {
            return null;
        }

        var result = new List<IReadOnlyList<CodeSpan>>(lines.Count);
        IStateStack? state = null;
        foreach (var line in lines)
        {
            if (line.Length > CodeHighlighter.MaxLineLength)
            {
                result.Add([new CodeSpan(line, null)]);
                continue;
            }

            var tokenized = grammar.TokenizeLine(line, state, LineTimeLimit);
            state = tokenized.RuleStack;
            var spans = new List<CodeSpan>(tokenized.Tokens.Length);
            var end = 0;
            foreach (var token in tokenized.Tokens)
            {
                var start = Math.Clamp(token.StartIndex, end, line.Length);
                var stop = Math.Clamp(token.EndIndex, start, line.Length);
                if (stop > start)
                {
                    Add(spans, line[start..stop], CodeTheme.ColourOf(token.Scopes));
                    end = stop;
                }
            }

            if (end < line.Length)
            {
                Add(spans, line[end..], null); // what a grammar that stopped early did not reach
            }

            result.Add(spans);
        }

        return result;
    }

    /// <summary>Adds a span, joined to the last one when it has the same colour (fewer style tags to draw).</summary>
    private static void Add(List<CodeSpan> spans, string text, string? colour)
    {
        if (spans.Count > 0 && spans[^1].Colour == colour)
        {
            spans[^1] = spans[^1] with { Text = spans[^1].Text + text };
        }
        else
        {
            spans.Add(new CodeSpan(text, colour));
        }
    }

    /// <summary>Loads <paramref name="language"/>'s grammar now (<see cref="CodeHighlighter.Prepare"/>).</summary>
    public void Prepare(string language) => Grammar(language);

    private IGrammar? Grammar(string language)
    {
        if (_grammars.TryGetValue(language, out var known))
        {
            return known;
        }

        var id = Aliases.GetValueOrDefault(language, language);
        var scope = _options.GetScopeByLanguageId(id) ?? _options.GetScopeByExtension("." + id);
        var grammar = scope is null ? null : _registry.LoadGrammar(scope);
        _grammars[language] = grammar;
        return grammar;
    }
}
