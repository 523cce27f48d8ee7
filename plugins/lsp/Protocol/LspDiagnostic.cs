namespace AgentHost.Plugins.Lsp.Protocol;

/// <summary>One diagnostic, positions already converted to 1-based lines and character columns.</summary>
/// <param name="Line">The 1-based line.</param>
/// <param name="Column">The 1-based column (characters).</param>
/// <param name="Severity">1 error, 2 warning, 3 information, 4 hint (1 when the server gave none).</param>
/// <param name="Message">The message.</param>
/// <param name="Source">The server's source tag (e.g. <c>ts</c>), when any.</param>
/// <param name="Code">The code, when any.</param>
internal sealed record LspDiagnostic(int Line, int Column, int Severity, string Message, string? Source, string? Code)
{
    public string SeverityName => Severity switch
    {
        1 => "error",
        2 => "warning",
        3 => "info",
        _ => "hint",
    };
}
