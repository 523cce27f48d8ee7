using System.Text.Json;

namespace AgentHost.Hosting.Trust;

/// <summary>
/// The trust file's JSON: <c>{"version": 1, "projects": [{"path": "…", "trusted_at": "…"}]}</c>. Read with
/// <see cref="JsonDocument"/> and written with <see cref="Utf8JsonWriter"/>: every run reads it, and serializer
/// metadata for <see cref="DateTimeOffset"/> would be compiled at run time on the way to the first model request.
/// </summary>
internal static class TrustFile
{
    /// <summary>The projects in <paramref name="json"/>; entries without a string path are skipped.</summary>
    /// <exception cref="JsonException">The text is not JSON of this shape.</exception>
    public static List<TrustedProject> Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new JsonException("the file must hold a JSON object with 'version' and 'projects'");
        }

        var projects = new List<TrustedProject>();
        if (!root.TryGetProperty("projects", out var list) || list.ValueKind == JsonValueKind.Null)
        {
            return projects;
        }

        if (list.ValueKind != JsonValueKind.Array)
        {
            throw new JsonException("'projects' must be a list");
        }

        foreach (var item in list.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty("path", out var path) || path.ValueKind != JsonValueKind.String)
            {
                continue;
            }

            var at = item.TryGetProperty("trusted_at", out var when) && when.ValueKind == JsonValueKind.String && when.TryGetDateTimeOffset(out var parsed)
                ? parsed
                : default;
            projects.Add(new TrustedProject(path.GetString()!, at));
        }

        return projects;
    }

    /// <summary>The file's bytes for <paramref name="projects"/> (indented UTF-8).</summary>
    public static byte[] Write(IEnumerable<TrustedProject> projects)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteNumber("version", 1);
            writer.WriteStartArray("projects");
            foreach (var project in projects)
            {
                writer.WriteStartObject();
                writer.WriteString("path", project.Path);
                writer.WriteString("trusted_at", project.TrustedAt);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
