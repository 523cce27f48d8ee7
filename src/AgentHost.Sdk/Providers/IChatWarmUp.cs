namespace AgentHost.Sdk.Providers;

/// <summary>
/// An optional service of a chat client, obtained with <c>client.GetService(typeof(IChatWarmUp))</c>: prepares what the
/// first request needs (a connection to the endpoint with its TLS handshake, the client's request pipeline) while the
/// host is still opening the session and building the prompt.
/// </summary>
/// <remarks>
/// The host calls <see cref="WarmUpAsync"/> at most once per run, in the background, right after it chose the model, and
/// never waits for it before the first request. An implementation must not send a model request or anything that costs
/// the user money or quota, must not write to the console, should finish within a few seconds, and may fail: the host
/// ignores its exceptions. It is called from a thread-pool thread, possibly while the client serves a request.
/// </remarks>
public interface IChatWarmUp
{
    /// <summary>Prepares the client for its first request.</summary>
    /// <param name="cancellationToken">Cancelled when the run ends.</param>
    /// <returns>A task that completes when the preparation is done (or failed).</returns>
    Task WarmUpAsync(CancellationToken cancellationToken = default);
}
