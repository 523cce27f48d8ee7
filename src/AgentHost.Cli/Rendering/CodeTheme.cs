namespace AgentHost.Cli.Rendering;

/// <summary>
/// The one theme code blocks are highlighted in: TextMate scope selectors mapped to the terminal's own colours (by
/// their Spectre.Console names: <c>purple</c> is SGR 35, <c>green</c> 32, <c>olive</c> 33, <c>teal</c> 36,
/// <c>maroon</c> 31, <c>grey</c> 90), so the user's palette decides the shades and a 16- or 256-colour terminal shows
/// the same. Colours only: no bold, italic or background, and nothing for a scope it does not name (the terminal's text
/// colour).
/// </summary>
internal static class CodeTheme
{
    /// <summary>Selectors, most specific first where one begins another (<c>constant.character.escape</c> before <c>constant</c>).</summary>
    private static readonly (string Selector, string Colour)[] Rules =
    [
        ("comment", "grey"),
        ("string", "green"),
        ("constant.character.escape", "teal"),
        ("constant.character", "green"),
        ("constant", "olive"),
        ("keyword.operator", "default"),
        ("keyword", "purple"),
        ("storage", "purple"),
        ("entity.name.function", "teal"),
        ("support.function", "teal"),
        ("entity.name.type", "olive"),
        ("entity.name.class", "olive"),
        ("entity.other.inherited-class", "olive"),
        ("support.class", "olive"),
        ("support.type.property-name", "teal"),
        ("support.type", "olive"),
        ("entity.name.tag", "maroon"),
        ("entity.other.attribute-name", "olive"),
        ("variable.parameter", "default"),
        ("variable.language", "purple"),
        ("markup.inserted", "green"),
        ("markup.deleted", "maroon"),
        ("markup.changed", "olive"),
        ("meta.diff.range", "teal"),
        ("meta.diff.header", "teal"),
        ("meta.diff.index", "teal"),
        ("markup.heading", "purple"),
    ];

    /// <summary>
    /// The colour of a token with these scopes (outermost first, as TextMate gives them): the innermost scope that a
    /// selector matches decides, a selector matching a scope equal to it or beginning it at a dot. <see langword="null"/>:
    /// the terminal's text colour.
    /// </summary>
    public static string? ColourOf(IReadOnlyList<string> scopes)
    {
        for (var i = scopes.Count - 1; i >= 0; i--)
        {
            var scope = scopes[i];
            foreach (var (selector, colour) in Rules)
            {
                if (scope.StartsWith(selector, StringComparison.Ordinal) && (scope.Length == selector.Length || scope[selector.Length] == '.'))
                {
                    return colour == "default" ? null : colour;
                }
            }
        }

        return null;
    }
}
