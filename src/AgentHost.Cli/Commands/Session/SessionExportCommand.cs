using System.CommandLine;
using System.Text;
using AgentHost.Sessions;

namespace AgentHost.Cli.Commands.Session;

/// <summary><c>agent session export &lt;id&gt; --format jsonl|markdown [--output FILE]</c>.</summary>
internal sealed class SessionExportCommand : AgentCommand
{
    private readonly Argument<string> _id = SessionFormatting.IdArgument();

    private readonly Option<string> _format = new("--format")
    {
        Description = "jsonl (re-importable: a session line, then messages, then tool calls) or markdown (a readable transcript).",
        DefaultValueFactory = _ => "jsonl",
    };

    private readonly Option<string?> _output = new("--output", "-o") { Description = "Write to this file instead of stdout." };

    public SessionExportCommand(CliContext context)
        : base("export", "Export a session as JSON Lines or Markdown.", context)
    {
        _format.AcceptOnlyFromAmong("jsonl", "markdown", "md");
        Arguments.Add(_id);
        Options.Add(_format);
        Options.Add(_output);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var (store, id) = await SessionFormatting.ResolveAsync(Context, parseResult.GetRequiredValue(_id), cancellationToken).ConfigureAwait(false);
        var markdown = parseResult.GetValue(_format) is "markdown" or "md";
        if (parseResult.GetValue(_output) is not { Length: > 0 } output)
        {
            using var text = new StringWriter();
            await Export(text).ConfigureAwait(false);
            Context.Console.WriteDataLine(text.ToString().TrimEnd('\n', '\r'));
            return ExitCodes.Success;
        }

        var path = await ExportToFileAsync(store, id, markdown, Path.GetFullPath(output, Context.Environment.CurrentDirectory), cancellationToken).ConfigureAwait(false);
        Context.Console.WriteInfo($"Exported session {id} to {path}.");
        return ExitCodes.Success;

        Task Export(TextWriter writer) => Write(store, id, markdown, writer, cancellationToken);
    }

    /// <summary>Writes a session to a file (through a <c>.partial</c> file, so a failed export leaves no half file); also the chat's <c>/export</c>.</summary>
    /// <returns>The full path written.</returns>
    internal static async Task<string> ExportToFileAsync(ISessionStore store, string id, bool markdown, string path, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var partial = path + ".partial";
        var writer = new StreamWriter(partial, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        await using (writer.ConfigureAwait(false))
        {
            await Write(store, id, markdown, writer, cancellationToken).ConfigureAwait(false);
        }

        File.Move(partial, path, overwrite: true);
        return path;
    }

    private static Task Write(ISessionStore store, string id, bool markdown, TextWriter writer, CancellationToken cancellationToken) => markdown
        ? store.Transfer.ExportMarkdownAsync(id, writer, cancellationToken)
        : store.Transfer.ExportJsonlAsync(id, writer, cancellationToken);
}
