namespace AgentHost.Plugins.Anthropic;

/// <summary>Where Claude is served: Anthropic's own API, or a cloud platform's (<c>settings.platform</c>).</summary>
internal enum CloudPlatform
{
    /// <summary>The Anthropic API (or a gateway speaking it): <c>x-api-key</c>, <c>POST /v1/messages</c>.</summary>
    Anthropic,

    /// <summary>Amazon Bedrock: SigV4 or a Bedrock API key, <c>InvokeModel</c> / <c>InvokeModelWithResponseStream</c>.</summary>
    Bedrock,

    /// <summary>Google Vertex AI: an OAuth access token, <c>rawPredict</c> / <c>streamRawPredict</c>.</summary>
    Vertex,
}
