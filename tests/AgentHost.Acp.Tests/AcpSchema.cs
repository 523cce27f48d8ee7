using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace AgentHost.Acp.Tests;

/// <summary>
/// Validates the messages <c>agent acp</c> sends against the protocol's JSON Schema (Schema/acp-v1.schema.json, from
/// the official SDK): each against the definition its method names — a response's result against the response type of
/// the request it answers (the schema's <c>x-method</c>), an error against <c>Error</c>, a notification's or request's
/// params against the type the client receives — not merely against the loose union of every message.
/// </summary>
public static class AcpSchema
{
    private static readonly JsonObject Document = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Schema", "acp-v1.schema.json")))!.AsObject();
    private static readonly ConcurrentDictionary<string, JsonSchema> Schemas = new(StringComparer.Ordinal);

    /// <summary>
    /// The problems of the agent's messages in <paramref name="run"/>, one line per invalid message (empty when all are valid).
    /// </summary>
    public static IReadOnlyList<string> Problems(AcpRun run)
    {
        var methods = run.ClientMessages
            .Where(m => m.TryGetProperty("id", out _) && m.TryGetProperty("method", out _))
            .ToDictionary(m => m.GetProperty("id").ToString(), m => m.GetProperty("method").GetString()!, StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var message in run.AgentMessages)
        {
            if (Check(message, methods).ToList() is { Count: > 0 } found)
            {
                problems.Add($"{string.Join("; ", found)} in {Shorten(message.GetRawText())}");
            }
        }

        return problems;
    }

    private static IEnumerable<string> Check(JsonElement message, Dictionary<string, string> clientMethods)
    {
        if (!message.TryGetProperty("jsonrpc", out var version) || version.GetString() != "2.0")
        {
            yield return "no \"jsonrpc\": \"2.0\"";
        }

        var hasId = message.TryGetProperty("id", out var id);
        if (message.TryGetProperty("method", out var m))
        {
            var method = m.GetString()!;
            var definition = Definition(method, side: "client", hasId ? "Request" : "Notification");
            if (definition is null)
            {
                yield return $"the agent sent '{method}', which the schema does not define for a client";
                yield break;
            }

            foreach (var problem in Validate(definition, message.TryGetProperty("params", out var p) ? p : default))
            {
                yield return $"{method} params ({definition}): {problem}";
            }
        }
        else if (message.TryGetProperty("error", out var error))
        {
            foreach (var problem in Validate("Error", error))
            {
                yield return $"error: {problem}";
            }
        }
        else if (message.TryGetProperty("result", out var result))
        {
            if (!hasId || !clientMethods.TryGetValue(id.ToString(), out var method))
            {
                yield return "a result answering no request of the client";
                yield break;
            }

            var definition = Definition(method, side: "agent", "Response");
            if (definition is null)
            {
                yield return $"no response type for '{method}' in the schema";
                yield break;
            }

            foreach (var problem in Validate(definition, result))
            {
                yield return $"{method} result ({definition}): {problem}";
            }
        }
        else
        {
            yield return "neither a request, a notification nor a response";
        }
    }

    /// <summary>The definition whose <c>x-method</c> and <c>x-side</c> match, preferring a name ending in <paramref name="suffix"/>.</summary>
    private static string? Definition(string method, string side, string suffix)
    {
        var matches = Document["$defs"]!.AsObject()
            .Where(d => (string?)d.Value?["x-method"] == method && (string?)d.Value?["x-side"] == side)
            .Select(d => d.Key)
            .ToList();
        return matches.FirstOrDefault(n => n.EndsWith(suffix, StringComparison.Ordinal)) ?? matches.FirstOrDefault();
    }

    private static IEnumerable<string> Validate(string definition, JsonElement value)
    {
        var schema = Schemas.GetOrAdd(definition, name =>
        {
            var copy = Document.DeepClone().AsObject();
            copy.Remove("anyOf");
            copy.Remove("title");
            copy["$ref"] = $"#/$defs/{name}";
            return JsonSchema.FromText(copy.ToJsonString());
        });
        var results = schema.Evaluate(value, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (results.IsValid)
        {
            return [];
        }

        return (results.Details ?? [])
            .Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"))
            .DefaultIfEmpty("invalid")
            .Take(5);
    }

    private static string Shorten(string json) => json.Length > 300 ? json[..300] + "…" : json;
}
