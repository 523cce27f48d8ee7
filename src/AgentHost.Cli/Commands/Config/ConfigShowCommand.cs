using System.CommandLine;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using AgentHost.Hosting;
using AgentHost.Hosting.Configuration;
namespace AgentHost.Cli.Commands.Config;

/// <summary><c>agent config show [KEY] [--json]</c>: every effective value with its source, secrets redacted.</summary>
internal sealed class ConfigShowCommand : AgentCommand
{
    private const int MaxAlignedWidth = 60;

    private readonly Argument<string?> _key = new("key")
    {
        Description = "Show only this key and the keys below it, e.g. providers.openai.",
        Arity = ArgumentArity.ZeroOrOne,
    };

    private readonly Option<bool> _json = new("--json")
    {
        Description = "Print a JSON array of {key, value, source, file, line, origin} (and ignored, reason for an untrusted project's ignored values).",
    };

    public ConfigShowCommand(CliContext context)
        : base("show", "Show the effective configuration and where each value comes from (secrets redacted).", context)
    {
        Arguments.Add(_key);
        Options.Add(_json);
    }

    protected override Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var configuration = Context.Configuration(parseResult);
        var entries = configuration.Entries;
        var ignored = configuration.IgnoredProjectEntries;
        if (parseResult.GetValue(_key)?.Trim('.') is { Length: > 0 } key)
        {
            bool Selected(ConfigEntry entry) => string.Equals(entry.Key, key, StringComparison.OrdinalIgnoreCase)
                || entry.Key.StartsWith(key + ".", StringComparison.OrdinalIgnoreCase);
            entries = [.. entries.Where(Selected)];
            ignored = [.. ignored.Where(Selected)];
            if (entries.Count == 0 && ignored.Count == 0)
            {
                throw new AgentHostException(ErrorKind.NotFound, $"no configuration value is set for '{key}'. Run 'agent config show' to list every key.");
            }
        }

        if (parseResult.GetValue(_json))
        {
            Context.Console.WriteDataLine(ToJson(entries, ignored));
        }
        else
        {
            WriteText(entries, ignored);
        }

        ConfigValidateCommand.WriteProblems(Context.Console, configuration.Problems);
        return Task.FromResult(configuration.HasErrors ? ExitCodes.Configuration : ExitCodes.Success);
    }

    /// <summary>Every value with its source; an untrusted project's ignored values last, each saying why.</summary>
    private void WriteText(IReadOnlyList<ConfigEntry> entries, IReadOnlyList<ConfigEntry> ignored)
    {
        var width = Math.Min(MaxAlignedWidth, entries.Concat(ignored).Select(entry => Assignment(entry).Length).DefaultIfEmpty(0).Max());
        foreach (var entry in entries)
        {
            Context.Console.WriteLine($"{Assignment(entry).PadRight(width)}    (source: {entry.Source})");
        }

        foreach (var entry in ignored)
        {
            Context.Console.WriteLine($"{Assignment(entry).PadRight(width)}    (source: {entry.Source}; {UntrustedProjectSettings.Reason})");
        }
    }

    private static string Assignment(ConfigEntry entry) => $"{entry.Key} = {entry.DisplayValue}";

    private static string ToJson(IReadOnlyList<ConfigEntry> entries, IReadOnlyList<ConfigEntry> ignored)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartArray();
            foreach (var (entry, isIgnored) in entries.Select(entry => (entry, false)).Concat(ignored.Select(entry => (entry, true))))
            {
                writer.WriteStartObject();
                writer.WriteString("key", entry.Key);
                writer.WriteString("value", entry.DisplayValue);
                writer.WriteString("source", entry.Layer.ToDisplayName());
                writer.WriteString("file", entry.File);
                if (entry.Line is { } line)
                {
                    writer.WriteNumber("line", line);
                }
                else
                {
                    writer.WriteNull("line");
                }

                writer.WriteString("origin", entry.Origin);
                if (isIgnored)
                {
                    writer.WriteBoolean("ignored", true);
                    writer.WriteString("reason", UntrustedProjectSettings.Reason);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
