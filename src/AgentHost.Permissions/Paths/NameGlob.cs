namespace AgentHost.Permissions.Paths;

/// <summary>
/// One path name as a glob: literal characters, <c>?</c> (one character), <c>[…]</c> (one character of a class) and
/// <c>*</c> (any run of characters) — a shell expansion inside a name (<c>$X</c>, <c>${…}</c>, <c>$(…)</c>, backticks)
/// is read as <c>*</c>. Two globs overlap when some name matches both (<see cref="Overlaps"/>), compared without case.
/// </summary>
/// <remarks>Immutable and thread-safe. Used by <see cref="ComputedPath"/> for names of words and of protected places.</remarks>
internal sealed class NameGlob
{
    private readonly Token[] _tokens;

    private NameGlob(Token[] tokens, bool hasLiteral, bool onlyExpansions)
    {
        _tokens = tokens;
        HasLiteral = hasLiteral;
        IsOnlyExpansions = onlyExpansions;
    }

    /// <summary>Whether the name has a literal character or a class: something a value must spell.</summary>
    public bool HasLiteral { get; }

    /// <summary>Whether the name is made of expansions alone (<c>$D</c>, <c>${X}$(y)</c>).</summary>
    public bool IsOnlyExpansions { get; }

    /// <summary>A name that is exactly <paramref name="text"/> (no glob characters, no expansions).</summary>
    public static NameGlob Literal(string text) => new([.. text.Select(c => new Token(TokenKind.Literal, c, null))], text.Length > 0, onlyExpansions: false);

    /// <summary>Reads a name of a shell word (or of a protected place's pattern, which has no expansions).</summary>
    /// <param name="name">One path component.</param>
    /// <param name="globs">Whether <c>*</c>, <c>?</c> and <c>[…]</c> are glob characters (else only expansions are computed).</param>
    /// <returns>The glob.</returns>
    public static NameGlob Parse(string name, bool globs = true)
    {
        var tokens = new List<Token>();
        var expansions = 0;
        var others = 0;
        for (var i = 0; i < name.Length;)
        {
            if (ExpansionEnd(name, i) is var end and > 0)
            {
                AddStar(tokens);
                expansions++;
                i = end;
                continue;
            }

            others++;
            var c = name[i];
            if (!globs)
            {
                tokens.Add(new Token(TokenKind.Literal, c, null));
                i++;
            }
            else if (c == '*')
            {
                AddStar(tokens);
                i++;
            }
            else if (c == '?')
            {
                tokens.Add(new Token(TokenKind.One, '\0', null));
                i++;
            }
            else if (c == '[' && CharacterClass.TryParse(name, i, out var characterClass, out var next))
            {
                tokens.Add(new Token(TokenKind.Class, '\0', characterClass));
                i = next;
            }
            else
            {
                tokens.Add(new Token(TokenKind.Literal, c, null));
                i++;
            }
        }

        var hasLiteral = tokens.Any(token => token.Kind is TokenKind.Literal or TokenKind.Class);
        return new NameGlob([.. tokens], hasLiteral, expansions > 0 && others == 0);
    }

    /// <summary>Whether every name the glob matches ends with <paramref name="suffix"/> (its last tokens are those literal characters).</summary>
    /// <param name="suffix">The suffix.</param>
    /// <returns>Whether it does.</returns>
    public bool EndsWithLiteral(string suffix)
    {
        if (suffix.Length > _tokens.Length)
        {
            return false;
        }

        for (var k = 1; k <= suffix.Length; k++)
        {
            var token = _tokens[^k];
            if (token.Kind != TokenKind.Literal || char.ToLowerInvariant(token.Character) != char.ToLowerInvariant(suffix[^k]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether <paramref name="text"/> starts with a shell expansion (<c>$X</c>, <c>${…}</c>, <c>$(…)</c>, a backtick).</summary>
    public static bool StartsWithExpansion(string text) => ExpansionEnd(text, 0) > 0;

    /// <summary>Whether some name matches both globs (without case).</summary>
    /// <param name="other">The other glob.</param>
    /// <returns>Whether they overlap.</returns>
    public bool Overlaps(NameGlob other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var memo = new bool?[_tokens.Length + 1, other._tokens.Length + 1];
        return Overlaps(_tokens, 0, other._tokens, 0, memo);
    }

    private static bool Overlaps(Token[] a, int i, Token[] b, int j, bool?[,] memo)
    {
        if (memo[i, j] is { } known)
        {
            return known;
        }

        bool result;
        Token? x = i < a.Length ? a[i] : null;
        Token? y = j < b.Length ? b[j] : null;
        if (x is null && y is null)
        {
            result = true;
        }
        else if (x is { Kind: TokenKind.Star } || y is { Kind: TokenKind.Star })
        {
            // A star matches nothing more, or takes one character the other side has to give.
            result = (x is { Kind: TokenKind.Star } && (Overlaps(a, i + 1, b, j, memo) || (y is not null && Overlaps(a, i, b, j + 1, memo))))
                || (y is { Kind: TokenKind.Star } && (Overlaps(a, i, b, j + 1, memo) || (x is not null && Overlaps(a, i + 1, b, j, memo))));
        }
        else
        {
            result = x is not null && y is not null && SameCharacterPossible(x.Value, y.Value) && Overlaps(a, i + 1, b, j + 1, memo);
        }

        memo[i, j] = result;
        return result;
    }

    private static bool SameCharacterPossible(Token x, Token y) => (x.Kind, y.Kind) switch
    {
        (TokenKind.Literal, TokenKind.Literal) => char.ToLowerInvariant(x.Character) == char.ToLowerInvariant(y.Character),
        (TokenKind.Literal, TokenKind.Class) => y.Class!.Contains(x.Character),
        (TokenKind.Class, TokenKind.Literal) => x.Class!.Contains(y.Character),
        (TokenKind.Class, TokenKind.Class) => x.Class!.Overlaps(y.Class!),
        _ => true, // '?' against anything that takes one character
    };

    private static void AddStar(List<Token> tokens)
    {
        if (tokens.Count == 0 || tokens[^1].Kind != TokenKind.Star)
        {
            tokens.Add(new Token(TokenKind.Star, '\0', null));
        }
    }

    /// <summary>
    /// Where the shell expansion starting at <paramref name="i"/> ends (the index after it), or 0 when none starts
    /// there: <c>$NAME</c>, <c>$1</c>, <c>$@</c> and the other special parameters, <c>${…}</c>, <c>$(…)</c>,
    /// <c>$((…))</c>, <c>$[…]</c> and backticks (an unclosed one runs to the end of the name).
    /// </summary>
    private static int ExpansionEnd(string text, int i)
    {
        if (i >= text.Length)
        {
            return 0;
        }

        if (text[i] == '`')
        {
            var close = text.IndexOf('`', i + 1);
            return close < 0 ? text.Length : close + 1;
        }

        if (text[i] != '$' || i + 1 >= text.Length)
        {
            return 0;
        }

        var next = text[i + 1];
        if (next is '{' or '(' or '[')
        {
            return ClosingEnd(text, i + 1, next, next switch { '{' => '}', '(' => ')', _ => ']' });
        }

        if (char.IsAsciiLetter(next) || next == '_')
        {
            var j = i + 2;
            while (j < text.Length && (char.IsAsciiLetterOrDigit(text[j]) || text[j] == '_'))
            {
                j++;
            }

            return j;
        }

        return char.IsAsciiDigit(next) || next is '@' or '*' or '#' or '?' or '$' or '!' or '-' ? i + 2 : 0;
    }

    private static int ClosingEnd(string text, int open, char opening, char closing)
    {
        var level = 0;
        for (var j = open; j < text.Length; j++)
        {
            if (text[j] == opening)
            {
                level++;
            }
            else if (text[j] == closing && --level == 0)
            {
                return j + 1;
            }
        }

        return text.Length;
    }

    private enum TokenKind
    {
        Literal,
        One,
        Class,
        Star,
    }

    // A value: a glob holds one per character of its text (as objects they were 32 bytes each plus a reference).
    private readonly record struct Token(TokenKind Kind, char Character, CharacterClass? Class);

    /// <summary>A <c>[…]</c> class: characters and ranges, negated by <c>!</c> or <c>^</c>.</summary>
    private sealed class CharacterClass
    {
        private readonly List<(char From, char To)> _ranges;
        private readonly bool _negated;

        private CharacterClass(List<(char From, char To)> ranges, bool negated)
        {
            _ranges = ranges;
            _negated = negated;
        }

        public static bool TryParse(string text, int open, out CharacterClass? result, out int next)
        {
            result = null;
            next = open;
            var i = open + 1;
            var negated = i < text.Length && text[i] is '!' or '^';
            i += negated ? 1 : 0;
            var ranges = new List<(char, char)>();
            var first = true;
            while (i < text.Length && (text[i] != ']' || first))
            {
                first = false;
                if (i + 2 < text.Length && text[i + 1] == '-' && text[i + 2] != ']')
                {
                    ranges.Add((text[i], text[i + 2]));
                    i += 3;
                }
                else
                {
                    ranges.Add((text[i], text[i]));
                    i++;
                }
            }

            if (i >= text.Length)
            {
                return false;
            }

            result = new CharacterClass(ranges, negated);
            next = i + 1;
            return true;
        }

        public bool Contains(char c)
        {
            var lower = char.ToLowerInvariant(c);
            var upper = char.ToUpperInvariant(c);
            var listed = _ranges.Any(range => InRange(range, lower) || InRange(range, upper));
            return listed != _negated;
        }

        public bool Overlaps(CharacterClass other)
        {
            // Any character both hold: every character a class names, and the printable ASCII ones (for negations).
            var candidates = _ranges.Concat(other._ranges).SelectMany(range => new[] { range.From, range.To })
                .Concat(Enumerable.Range(0x20, 0x5F).Select(code => (char)code));
            return candidates.Any(c => Contains(c) && other.Contains(c));
        }

        private static bool InRange((char From, char To) range, char c) => c >= range.From && c <= range.To;
    }
}
