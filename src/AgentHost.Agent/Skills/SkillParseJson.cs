using System.Text.Json;

namespace AgentHost.Agent.Skills;

/// <summary>
/// A <see cref="SkillParseResult"/> as JSON, for the <see cref="SkillParseCache"/>: the document (every field of
/// <see cref="SkillDocument"/>) or <c>null</c>, and the problems (severity, line, message; their file is the entry's).
/// </summary>
internal static class SkillParseJson
{
    /// <summary>Writes the <c>document</c> and <c>problems</c> properties of <paramref name="result"/> into the current object.</summary>
    /// <param name="writer">The writer, inside an object.</param>
    /// <param name="result">The result.</param>
    public static void Write(Utf8JsonWriter writer, SkillParseResult result)
    {
        if (result.Document is not { } document)
        {
            writer.WriteNull("document");
        }
        else
        {
            writer.WriteStartObject("document");
            writer.WriteString("name", document.Name);
            writer.WriteString("description", document.Description);
            writer.WriteString("body", document.Body);
            writer.WriteNumber("body_line", document.BodyLine);
            writer.WriteString("license", document.License);
            writer.WriteString("compatibility", document.Compatibility);
            writer.WriteStartObject("metadata");
            foreach (var (key, value) in document.Metadata)
            {
                writer.WriteString(key, value);
            }

            writer.WriteEndObject();
            writer.WriteStartArray("allowed_tools");
            foreach (var rule in document.AllowedTools)
            {
                writer.WriteStringValue(rule);
            }

            writer.WriteEndArray();
            writer.WriteBoolean("user_invocable", document.UserInvocable);
            writer.WriteBoolean("disable_model_invocation", document.DisableModelInvocation);
            writer.WriteEndObject();
        }

        writer.WriteStartArray("problems");
        foreach (var problem in result.Problems)
        {
            writer.WriteStartArray();
            writer.WriteNumberValue((int)problem.Severity);
            if (problem.Line is { } line)
            {
                writer.WriteNumberValue(line);
            }
            else
            {
                writer.WriteNullValue();
            }

            writer.WriteStringValue(problem.Message);
            writer.WriteEndArray();
        }

        writer.WriteEndArray();
    }

    /// <summary>Reads what <see cref="Write"/> wrote.</summary>
    /// <param name="entry">The object holding <c>document</c> and <c>problems</c>.</param>
    /// <param name="file">The skill file the problems are about.</param>
    /// <returns>The result.</returns>
    /// <exception cref="KeyNotFoundException">A property is missing.</exception>
    /// <exception cref="InvalidOperationException">A value is of the wrong kind.</exception>
    /// <exception cref="InvalidDataException">A value is out of range.</exception>
    public static SkillParseResult Read(JsonElement entry, string file)
    {
        var problems = new List<SkillProblem>();
        foreach (var problem in entry.GetProperty("problems").EnumerateArray())
        {
            var severity = problem.GetArrayLength() == 3 ? (SkillSeverity)problem[0].GetInt32() : (SkillSeverity)(-1);
            if (!Enum.IsDefined(severity))
            {
                throw new InvalidDataException("a problem is not [severity, line, message]");
            }

            int? line = problem[1].ValueKind == JsonValueKind.Null ? null : problem[1].GetInt32();
            problems.Add(new SkillProblem(severity, file, line, problem[2].GetString() ?? throw new InvalidDataException("a problem has no message")));
        }

        var element = entry.GetProperty("document");
        if (element.ValueKind == JsonValueKind.Null)
        {
            return new SkillParseResult(null, problems);
        }

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in element.GetProperty("metadata").EnumerateObject())
        {
            metadata[pair.Name] = pair.Value.GetString() ?? throw new InvalidDataException($"metadata '{pair.Name}' is null");
        }

        var document = new SkillDocument(Text(element, "name"), Text(element, "description"), Text(element, "body"))
        {
            BodyLine = element.GetProperty("body_line").GetInt32(),
            License = element.GetProperty("license").GetString(),
            Compatibility = element.GetProperty("compatibility").GetString(),
            Metadata = metadata,
            AllowedTools = [.. element.GetProperty("allowed_tools").EnumerateArray().Select(rule => rule.GetString() ?? throw new InvalidDataException("an allowed-tools rule is null"))],
            UserInvocable = element.GetProperty("user_invocable").GetBoolean(),
            DisableModelInvocation = element.GetProperty("disable_model_invocation").GetBoolean(),
        };
        return new SkillParseResult(document, problems);
    }

    private static string Text(JsonElement element, string property) =>
        element.GetProperty(property).GetString() ?? throw new InvalidDataException($"'{property}' is null");
}
