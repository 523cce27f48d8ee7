using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace AgentHost.Workflows.Expressions;

/// <summary>
/// Recursive-descent parser of conditions: <c>or</c> binds loosest, then <c>and</c>, <c>not</c>, comparisons, then
/// operands (paths, literals, parentheses). Errors are <see cref="FormatException"/>s naming the 1-based column and
/// what was expected.
/// </summary>
internal sealed class ConditionParser
{
    private const string ValueHint = "a path such as nodes.test.exit_code, a quoted text, a number, true, false, null, 'not' or '('";
    private static readonly string[] Comparisons = ["==", "!=", "<=", ">=", "<", ">"];

    private readonly string _text;
    private readonly List<WorkflowPath> _paths = [];
    private int _position;

    private ConditionParser(string text) => _text = text;

    /// <summary>Parses a whole condition.</summary>
    /// <param name="text">The condition.</param>
    /// <param name="paths">Every path it reads, in order.</param>
    /// <returns>The expression.</returns>
    /// <exception cref="FormatException">The text is not a condition.</exception>
    public static ConditionExpression Parse(string text, out IReadOnlyList<WorkflowPath> paths)
    {
        var parser = new ConditionParser(text);
        parser.SkipSpace();
        if (parser.AtEnd)
        {
            throw new FormatException("column 1: expected a condition such as nodes.test.exit_code == 0, found nothing");
        }

        var expression = parser.ParseOr();
        parser.SkipSpace();
        if (!parser.AtEnd)
        {
            throw new FormatException($"column {parser._position + 1}: expected an operator (== != < <= > >= contains and or) or the end, found '{parser.Word()}'");
        }

        paths = parser._paths;
        return expression;
    }

    private bool AtEnd => _position >= _text.Length;

    private ConditionExpression ParseOr()
    {
        var left = ParseAnd();
        while (TryKeyword("or"))
        {
            left = new LogicalExpression(left, ParseAnd(), IsAnd: false);
        }

        return left;
    }

    private ConditionExpression ParseAnd()
    {
        var left = ParseNot();
        while (TryKeyword("and"))
        {
            left = new LogicalExpression(left, ParseNot(), IsAnd: true);
        }

        return left;
    }

    private ConditionExpression ParseNot() => TryKeyword("not") ? new NotExpression(ParseNot()) : ParseComparison();

    private ConditionExpression ParseComparison()
    {
        var left = ParseOperand();
        SkipSpace();
        foreach (var op in Comparisons)
        {
            if (string.CompareOrdinal(_text, _position, op, 0, op.Length) == 0)
            {
                _position += op.Length;
                return new ComparisonExpression(left, op, ParseOperand(after: op));
            }
        }

        if (TryKeyword("contains"))
        {
            return new ComparisonExpression(left, "contains", ParseOperand(after: "contains"));
        }

        if (!AtEnd && _text[_position] == '=')
        {
            throw new FormatException($"column {_position + 1}: expected '==' to compare, found a single '='");
        }

        return left;
    }

    private ConditionExpression ParseOperand(string? after = null)
    {
        SkipSpace();
        if (AtEnd)
        {
            throw new FormatException($"column {_position + 1}: expected {(after is null ? ValueHint : $"a value after '{after}' ({ValueHint})")}, found the end");
        }

        var c = _text[_position];
        if (c == '(')
        {
            var open = _position;
            _position++;
            var inner = ParseOr();
            SkipSpace();
            if (AtEnd || _text[_position] != ')')
            {
                throw new FormatException($"column {_position + 1}: expected ')' to close the '(' at column {open + 1}{(AtEnd ? ", found the end" : $", found '{Word()}'")}");
            }

            _position++;
            return inner;
        }

        if (c is '\'' or '"')
        {
            return new LiteralExpression(JsonValue.Create(ReadString(c)));
        }

        if (char.IsAsciiDigit(c) || (c is '-' or '+' or '.' && _position + 1 < _text.Length && char.IsAsciiDigit(_text[_position + 1])))
        {
            return new LiteralExpression(ReadNumber());
        }

        if (WorkflowPath.IsNameStart(c))
        {
            var start = _position;
            var path = WorkflowPath.Read(_text, ref _position);
            switch (path.Text)
            {
                case "true":
                    return new LiteralExpression(JsonValue.Create(true));
                case "false":
                    return new LiteralExpression(JsonValue.Create(false));
                case "null":
                    return new LiteralExpression(null);
                case "and" or "or" or "not" or "contains":
                    _position = start;
                    throw new FormatException($"column {start + 1}: expected {(after is null ? ValueHint : $"a value after '{after}' ({ValueHint})")}, found '{path.Text}'");
                default:
                    _paths.Add(path);
                    return new PathExpression(path);
            }
        }

        throw new FormatException($"column {_position + 1}: expected {(after is null ? ValueHint : $"a value after '{after}' ({ValueHint})")}, found '{Word()}'");
    }

    private string ReadString(char quote)
    {
        var open = _position;
        _position++;
        var value = new StringBuilder();
        while (!AtEnd)
        {
            var c = _text[_position++];
            if (c == quote)
            {
                return value.ToString();
            }

            if (c == '\\' && !AtEnd && (_text[_position] == quote || _text[_position] == '\\'))
            {
                value.Append(_text[_position++]);
                continue;
            }

            value.Append(c);
        }

        throw new FormatException($"column {open + 1}: expected the closing {quote} of the text that starts here, found the end");
    }

    private JsonValue ReadNumber()
    {
        var start = _position;
        if (_text[_position] is '-' or '+')
        {
            _position++;
        }

        while (!AtEnd && (char.IsAsciiDigit(_text[_position]) || _text[_position] is '.' or 'e' or 'E'
            || (_text[_position] is '-' or '+' && _text[_position - 1] is 'e' or 'E')))
        {
            _position++;
        }

        var word = _text[start.._position];
        if (long.TryParse(word, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            return JsonValue.Create(integer);
        }

        if (decimal.TryParse(word, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            return JsonValue.Create(number);
        }

        throw new FormatException($"column {start + 1}: expected a number, found '{word}'");
    }

    private bool TryKeyword(string keyword)
    {
        SkipSpace();
        var end = _position + keyword.Length;
        if (end <= _text.Length && string.CompareOrdinal(_text, _position, keyword, 0, keyword.Length) == 0
            && (end == _text.Length || !WorkflowPath.IsNamePart(_text[end]) && _text[end] != '.' && _text[end] != '['))
        {
            _position = end;
            return true;
        }

        return false;
    }

    private void SkipSpace()
    {
        while (!AtEnd && char.IsWhiteSpace(_text[_position]))
        {
            _position++;
        }
    }

    private string Word()
    {
        var end = _position;
        while (end < _text.Length && !char.IsWhiteSpace(_text[end]) && end - _position < 20)
        {
            end++;
        }

        return end == _position ? _text[_position].ToString() : _text[_position..end];
    }
}
