using System.ClientModel.Primitives;
using AgentHost.Sdk.Providers;

namespace AgentHost.Plugins.OpenAI;

/// <summary>
/// The host's warm-up (<see cref="IChatWarmUp"/>): a <c>HEAD</c> request to the endpoint's base URL through the same
/// pipeline and connection pool the model requests use. It opens (and keeps in the pool) the connection with its TLS
/// handshake and runs the pipeline's code once while the host prepares the session; it asks for no model, so it costs no
/// tokens. Whatever the endpoint answers (usually 404 or 405) is ignored. Off with <c>warm_up: false</c>.
/// </summary>
/// <param name="pipeline">The pipeline of the client that will send the first request.</param>
/// <param name="baseUrl">The endpoint's base URL.</param>
internal sealed class EndpointWarmUp(Func<ClientPipeline> pipeline, Uri baseUrl) : IChatWarmUp
{
    public async Task WarmUpAsync(CancellationToken cancellationToken = default)
    {
        var clientPipeline = pipeline();
        using var message = clientPipeline.CreateMessage();
        message.Request.Method = "HEAD";
        message.Request.Uri = baseUrl;
        message.Apply(new RequestOptions { CancellationToken = cancellationToken });
        await clientPipeline.SendAsync(message).ConfigureAwait(false);
    }
}
