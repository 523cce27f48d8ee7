using System.Buffers;
using System.Collections;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using AgentHost.Hosting.Security;
using Microsoft.Extensions.Logging;

namespace AgentHost.Hosting.Logging;

/// <summary>Formats one log entry as a JSON line (scrubbing every text) — the format <see cref="LogFileReader"/> reads.</summary>
internal static class LogEntryWriter
{
    private const string OriginalFormat = "{OriginalFormat}";

    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static byte[] Format<TState>(
        DateTimeOffset timestamp,
        LogLevel level,
        string category,
        EventId eventId,
        string message,
        Exception? exception,
        TState state,
        IExternalScopeProvider? scopes,
        SecretScrubber scrubber)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer, Options))
        {
            json.WriteStartObject();
            json.WriteString("timestamp", timestamp.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture));
            json.WriteString("level", LogLevels.Name(level));
            json.WriteString("category", category);
            json.WriteString("message", scrubber.Scrub(message));
            if (eventId.Id != 0)
            {
                json.WriteNumber("eventId", eventId.Id);
            }

            if (!string.IsNullOrEmpty(eventId.Name))
            {
                json.WriteString("eventName", eventId.Name);
            }

            if (exception is not null)
            {
                json.WriteString("exception", scrubber.Scrub(exception.ToString()));
            }

            if (state is IEnumerable<KeyValuePair<string, object?>> pairs)
            {
                WriteObject(json, "state", pairs, scrubber);
            }

            WriteScopes(json, scopes, scrubber);
            json.WriteEndObject();
        }

        var line = new byte[buffer.WrittenCount + 1];
        buffer.WrittenSpan.CopyTo(line);
        line[^1] = (byte)'\n';
        return line;
    }

    private static void WriteObject(Utf8JsonWriter json, string? name, IEnumerable<KeyValuePair<string, object?>> pairs, SecretScrubber scrubber)
    {
        var started = false;
        foreach (var (key, value) in pairs)
        {
            if (key == OriginalFormat)
            {
                continue;
            }

            if (!started)
            {
                if (name is null)
                {
                    json.WriteStartObject();
                }
                else
                {
                    json.WriteStartObject(name);
                }

                started = true;
            }

            json.WritePropertyName(key);
            WriteValue(json, value, scrubber, nested: false);
        }

        if (started)
        {
            json.WriteEndObject();
        }
        else if (name is null)
        {
            json.WriteStartObject();
            json.WriteEndObject();
        }
    }

    private static void WriteScopes(Utf8JsonWriter json, IExternalScopeProvider? scopes, SecretScrubber scrubber)
    {
        if (scopes is null)
        {
            return;
        }

        var started = false;
        scopes.ForEachScope(
            (scope, writer) =>
            {
                if (scope is null)
                {
                    return;
                }

                if (!started)
                {
                    writer.WriteStartArray("scopes");
                    started = true;
                }

                if (scope is IEnumerable<KeyValuePair<string, object?>> pairs)
                {
                    WriteObject(writer, null, pairs, scrubber);
                }
                else
                {
                    writer.WriteStringValue(scrubber.Scrub(Text(scope)));
                }
            },
            json);
        if (started)
        {
            json.WriteEndArray();
        }
    }

    /// <summary>Numbers and booleans stay JSON numbers and booleans; everything else becomes scrubbed text.</summary>
    private static void WriteValue(Utf8JsonWriter json, object? value, SecretScrubber scrubber, bool nested)
    {
        switch (value)
        {
            case null:
                json.WriteNullValue();
                break;
            case string text:
                json.WriteStringValue(scrubber.Scrub(text));
                break;
            case bool flag:
                json.WriteBooleanValue(flag);
                break;
            case Enum:
                json.WriteStringValue(value.ToString());
                break;
            case byte or sbyte or short or ushort or int or uint or long:
                json.WriteNumberValue(Convert.ToInt64(value, CultureInfo.InvariantCulture));
                break;
            case ulong big:
                json.WriteNumberValue(big);
                break;
            case decimal number:
                json.WriteNumberValue(number);
                break;
            case double or float when double.IsFinite(Convert.ToDouble(value, CultureInfo.InvariantCulture)):
                json.WriteNumberValue(Convert.ToDouble(value, CultureInfo.InvariantCulture));
                break;
            case DateTimeOffset time:
                json.WriteStringValue(time.ToString("O", CultureInfo.InvariantCulture));
                break;
            case DateTime time:
                json.WriteStringValue(time.ToString("O", CultureInfo.InvariantCulture));
                break;
            case IEnumerable items when !nested:
                json.WriteStartArray();
                foreach (var item in items)
                {
                    WriteValue(json, item, scrubber, nested: true);
                }

                json.WriteEndArray();
                break;
            default:
                json.WriteStringValue(scrubber.Scrub(Text(value)));
                break;
        }
    }

    private static string Text(object value) =>
        (value is IFormattable formattable ? formattable.ToString(null, CultureInfo.InvariantCulture) : value.ToString()) ?? string.Empty;
}
