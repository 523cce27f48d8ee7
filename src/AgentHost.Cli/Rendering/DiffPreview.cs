using AgentHost.Cli.Interaction;
using AgentHost.Cli.Terminal;

namespace AgentHost.Cli.Rendering;

/// <summary>
/// The diff of a file tool's change drawn under its line in the chat (<c>│ +added</c> in green, <c>│ -removed</c> in
/// red), from the result's preview: up to <see cref="MaxLines"/> lines; the event carries the result's first 400
/// characters, so a longer diff ends with a pointer to <c>/expand</c>.
/// </summary>
/// <param name="Colour">Whether to colour the lines.</param>
internal sealed record DiffPreview(bool Colour)
{
    public const int MaxLines = 12;

    public void Write(IConsoleInteraction console, string resultPreview)
    {
        if (DiffStyle.InResult(resultPreview) is not { } diff)
        {
            return;
        }

        var lines = diff.ReplaceLineEndings("\n").Split('\n');
        foreach (var line in lines.Take(MaxLines))
        {
            console.WriteInfo("    │ " + DiffStyle.Line(line, Colour));
        }

        if (lines.Length > MaxLines || resultPreview.Length >= 400)
        {
            console.WriteInfo("    │ … (/expand shows the whole result)");
        }
    }
}
