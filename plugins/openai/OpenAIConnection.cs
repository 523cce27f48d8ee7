using System.ClientModel;
using System.ClientModel.Primitives;
using OpenAI;
using OpenAI.Chat;
using OpenAI.Models;
using OpenAI.Responses;

namespace AgentHost.Plugins.OpenAI;

/// <summary>
/// The HTTP connection pool the plugin's clients share. A plugin service: disposed when the plugin unloads, so no
/// socket outlives the plugin's load context.
/// </summary>
internal sealed class OpenAIHttp : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        // The pipeline's NetworkTimeout bounds each request (and each read of a stream); no overall cap here.
        Timeout = System.Threading.Timeout.InfiniteTimeSpan,
    };

    public OpenAIHttp() => Transport = new HttpClientPipelineTransport(_http);

    /// <summary>The transport every pipeline of this plugin uses.</summary>
    public PipelineTransport Transport { get; }

    public void Dispose() => _http.Dispose();
}

/// <summary>Creates the OpenAI SDK clients for one endpoint: our headers, no SDK retries, our time-out, no key when none.</summary>
internal static class OpenAIConnection
{
    /// <summary>Creates a chat client for a model.</summary>
    /// <param name="endpoint">The endpoint.</param>
    /// <param name="model">The model id.</param>
    /// <param name="http">The shared transport.</param>
    /// <returns>The client.</returns>
    public static ChatClient CreateChatClient(OpenAIEndpoint endpoint, string model, OpenAIHttp http)
    {
        var options = CreateOptions(endpoint, http);
#pragma warning disable OPENAI001 // The AuthenticationPolicy constructor is the SDK's way to send no key to local servers.
        return endpoint.ApiKey is { } key
            ? new ChatClient(model, new ApiKeyCredential(key), options)
            : new ChatClient(model, new NoAuthenticationPolicy(), options);
#pragma warning restore OPENAI001
    }

    /// <summary>Creates a client for <c>GET /models</c>.</summary>
    /// <param name="endpoint">The endpoint.</param>
    /// <param name="http">The shared transport.</param>
    /// <returns>The client.</returns>
    public static OpenAIModelClient CreateModelClient(OpenAIEndpoint endpoint, OpenAIHttp http)
    {
        var options = CreateOptions(endpoint, http);
#pragma warning disable OPENAI001 // See CreateChatClient.
        return endpoint.ApiKey is { } key
            ? new OpenAIModelClient(new ApiKeyCredential(key), options)
            : new OpenAIModelClient(new NoAuthenticationPolicy(), options);
#pragma warning restore OPENAI001
    }

    /// <summary>
    /// Creates a Responses API client. Unlike Chat Completions, a Responses stream has no <c>data: [DONE]</c> line, so
    /// <see cref="StreamCompletionPolicy"/> is not added; the client checks for <c>response.completed</c> instead.
    /// </summary>
    /// <param name="endpoint">The endpoint.</param>
    /// <param name="http">The shared transport.</param>
    /// <returns>The client.</returns>
    public static ResponsesClient CreateResponsesClient(OpenAIEndpoint endpoint, OpenAIHttp http)
    {
        var options = new ResponsesClientOptions
        {
            Endpoint = endpoint.BaseUrl,
            OrganizationId = endpoint.Organization,
            ProjectId = endpoint.Project,
            NetworkTimeout = endpoint.Timeout,
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0), // the host retries (see CreateOptions)
            Transport = http.Transport,
            UserAgentApplicationId = "agenthost",
        };
        if (endpoint.Headers.Count > 0)
        {
            options.AddPolicy(new HeadersPolicy([.. endpoint.Headers]), PipelinePosition.PerCall);
        }

        return endpoint.ApiKey is { } key
            ? new ResponsesClient(new ApiKeyCredential(key), options)
            : new ResponsesClient(new NoAuthenticationPolicy(), options);
    }

    private static OpenAIClientOptions CreateOptions(OpenAIEndpoint endpoint, OpenAIHttp http)
    {
        var options = new OpenAIClientOptions
        {
            Endpoint = endpoint.BaseUrl,
            OrganizationId = endpoint.Organization,
            ProjectId = endpoint.Project,
            NetworkTimeout = endpoint.Timeout,

            // The host retries model requests (honouring Retry-After); SDK retries would double every wait.
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            Transport = http.Transport,
            UserAgentApplicationId = "agenthost",
        };
        if (endpoint.Headers.Count > 0)
        {
            options.AddPolicy(new HeadersPolicy([.. endpoint.Headers]), PipelinePosition.PerCall);
        }

        options.AddPolicy(new StreamCompletionPolicy(), PipelinePosition.PerTry);
        return options;
    }
}
