using System.Text.Json;
using System.Text.Json.Serialization;

namespace AgentHost.Plugins.Ollama;

// Ollama's native HTTP API (https://github.com/ollama/ollama/blob/main/docs/api.md), only the fields this plugin uses.

/// <summary>The body of <c>POST /api/chat</c>.</summary>
internal sealed class OllamaChatRequest
{
    [JsonPropertyName("model")]
    public required string Model { get; init; }

    [JsonPropertyName("messages")]
    public required List<OllamaMessage> Messages { get; init; }

    [JsonPropertyName("tools")]
    public List<OllamaTool>? Tools { get; init; }

    [JsonPropertyName("stream")]
    public bool Stream { get; init; }

    /// <summary><c>"json"</c> or a JSON schema.</summary>
    [JsonPropertyName("format")]
    public JsonElement? Format { get; init; }

    [JsonPropertyName("options")]
    public OllamaOptions? Options { get; init; }

    /// <summary><c>true</c>, <c>false</c> or a level (<c>"low"</c>, <c>"medium"</c>, <c>"high"</c>).</summary>
    [JsonPropertyName("think")]
    public JsonElement? Think { get; init; }

    /// <summary>A duration (<c>"10m"</c>) or seconds (<c>-1</c> keeps the model loaded).</summary>
    [JsonPropertyName("keep_alive")]
    public JsonElement? KeepAlive { get; init; }
}

/// <summary>One chat message, in a request or a response.</summary>
internal sealed class OllamaMessage
{
    [JsonPropertyName("role")]
    public string Role { get; set; } = "assistant";

    [JsonPropertyName("content")]
    public string? Content { get; set; }

    [JsonPropertyName("thinking")]
    public string? Thinking { get; set; }

    /// <summary>Base64-encoded images.</summary>
    [JsonPropertyName("images")]
    public List<string>? Images { get; set; }

    [JsonPropertyName("tool_calls")]
    public List<OllamaToolCall>? ToolCalls { get; set; }

    /// <summary>For role <c>tool</c>: the function that produced the result.</summary>
    [JsonPropertyName("tool_name")]
    public string? ToolName { get; set; }

    /// <summary>For role <c>tool</c>: the call answered (newer servers read it; older ones ignore it).</summary>
    [JsonPropertyName("tool_call_id")]
    public string? ToolCallId { get; set; }
}

/// <summary>A whole tool call (Ollama never splits one across chunks).</summary>
internal sealed class OllamaToolCall
{
    /// <summary>Set by newer servers only; generated otherwise.</summary>
    [JsonPropertyName("id")]
    public string? Id { get; set; }

    [JsonPropertyName("function")]
    public OllamaFunctionCall? Function { get; set; }
}

/// <summary>The function part of a tool call.</summary>
internal sealed class OllamaFunctionCall
{
    [JsonPropertyName("index")]
    public int? Index { get; set; }

    [JsonPropertyName("name")]
    public string? Name { get; set; }

    /// <summary>A JSON object (not a string, unlike OpenAI).</summary>
    [JsonPropertyName("arguments")]
    public JsonElement? Arguments { get; set; }
}

/// <summary>A tool offered to the model.</summary>
internal sealed class OllamaTool
{
    [JsonPropertyName("type")]
    public string Type { get; init; } = "function";

    [JsonPropertyName("function")]
    public required OllamaFunction Function { get; init; }
}

/// <summary>A function declaration.</summary>
internal sealed class OllamaFunction
{
    [JsonPropertyName("name")]
    public required string Name { get; init; }

    [JsonPropertyName("description")]
    public string? Description { get; init; }

    [JsonPropertyName("parameters")]
    public JsonElement Parameters { get; init; }
}

/// <summary>Model options (<c>options</c> in a request).</summary>
internal sealed class OllamaOptions
{
    [JsonPropertyName("num_ctx")]
    public int? NumCtx { get; set; }

    [JsonPropertyName("num_predict")]
    public int? NumPredict { get; set; }

    [JsonPropertyName("temperature")]
    public float? Temperature { get; set; }

    [JsonPropertyName("top_p")]
    public float? TopP { get; set; }

    [JsonPropertyName("top_k")]
    public int? TopK { get; set; }

    [JsonPropertyName("seed")]
    public long? Seed { get; set; }

    [JsonPropertyName("frequency_penalty")]
    public float? FrequencyPenalty { get; set; }

    [JsonPropertyName("presence_penalty")]
    public float? PresencePenalty { get; set; }

    [JsonPropertyName("stop")]
    public List<string>? Stop { get; set; }

    [JsonIgnore]
    public bool IsEmpty => NumCtx is null && NumPredict is null && Temperature is null && TopP is null && TopK is null
        && Seed is null && FrequencyPenalty is null && PresencePenalty is null && Stop is null;
}

/// <summary>One NDJSON line of <c>/api/chat</c> (or the whole body when not streaming).</summary>
internal sealed class OllamaChatChunk
{
    [JsonPropertyName("model")]
    public string? Model { get; set; }

    [JsonPropertyName("created_at")]
    public DateTimeOffset? CreatedAt { get; set; }

    [JsonPropertyName("message")]
    public OllamaMessage? Message { get; set; }

    [JsonPropertyName("done")]
    public bool Done { get; set; }

    [JsonPropertyName("done_reason")]
    public string? DoneReason { get; set; }

    [JsonPropertyName("prompt_eval_count")]
    public long? PromptEvalCount { get; set; }

    [JsonPropertyName("eval_count")]
    public long? EvalCount { get; set; }

    /// <summary>Set instead of everything else when the server fails mid-stream.</summary>
    [JsonPropertyName("error")]
    public string? Error { get; set; }
}

/// <summary>An error body: <c>{"error": "..."}</c>.</summary>
internal sealed class OllamaError
{
    [JsonPropertyName("error")]
    public string? Error { get; set; }
}

/// <summary>The body of <c>GET /api/tags</c>.</summary>
internal sealed class OllamaTagsResponse
{
    [JsonPropertyName("models")]
    public List<OllamaTag>? Models { get; set; }
}

/// <summary>One installed model.</summary>
internal sealed class OllamaTag
{
    [JsonPropertyName("name")]
    public string? Name { get; set; }

    [JsonPropertyName("model")]
    public string? Model { get; set; }

    [JsonPropertyName("size")]
    public long? Size { get; set; }

    [JsonPropertyName("details")]
    public OllamaModelDetails? Details { get; set; }
}

/// <summary>A model's family, size and quantization.</summary>
internal sealed class OllamaModelDetails
{
    [JsonPropertyName("family")]
    public string? Family { get; set; }

    [JsonPropertyName("parameter_size")]
    public string? ParameterSize { get; set; }

    [JsonPropertyName("quantization_level")]
    public string? QuantizationLevel { get; set; }
}

/// <summary>The body of <c>POST /api/show</c>.</summary>
internal sealed class OllamaShowRequest
{
    [JsonPropertyName("model")]
    public required string Model { get; init; }
}

/// <summary>The parts of <c>/api/show</c>'s answer used here.</summary>
internal sealed class OllamaShowResponse
{
    /// <summary>GGUF metadata, e.g. <c>"general.architecture": "qwen3"</c>, <c>"qwen3.context_length": 40960</c>.</summary>
    [JsonPropertyName("model_info")]
    public Dictionary<string, JsonElement>? ModelInfo { get; set; }

    /// <summary>For example <c>completion</c>, <c>tools</c>, <c>vision</c>, <c>thinking</c>, <c>embedding</c>.</summary>
    [JsonPropertyName("capabilities")]
    public List<string>? Capabilities { get; set; }

    [JsonPropertyName("details")]
    public OllamaModelDetails? Details { get; set; }
}

/// <summary>Source-generated serialization for the wire types (no reflection, nothing cached in shared options).</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(OllamaChatRequest))]
[JsonSerializable(typeof(OllamaChatChunk))]
[JsonSerializable(typeof(OllamaError))]
[JsonSerializable(typeof(OllamaTagsResponse))]
[JsonSerializable(typeof(OllamaShowRequest))]
[JsonSerializable(typeof(OllamaShowResponse))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(bool))]
[JsonSerializable(typeof(string))]
internal sealed partial class OllamaJsonContext : JsonSerializerContext;
