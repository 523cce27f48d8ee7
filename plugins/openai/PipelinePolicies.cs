using System.ClientModel.Primitives;

namespace AgentHost.Plugins.OpenAI;

/// <summary>Adds the configured headers (and organization / project) to every request.</summary>
internal sealed class HeadersPolicy(IReadOnlyList<KeyValuePair<string, string>> headers) : PipelinePolicy
{
    public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        Apply(message);
        ProcessNext(message, pipeline, currentIndex);
    }

    public override ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        Apply(message);
        return ProcessNextAsync(message, pipeline, currentIndex);
    }

    private void Apply(PipelineMessage message)
    {
        foreach (var (name, value) in headers)
        {
            message.Request.Headers.Set(name, value);
        }
    }
}

/// <summary>Sends no credentials: for local endpoints configured without an API key.</summary>
internal sealed class NoAuthenticationPolicy : AuthenticationPolicy
{
    public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex) =>
        ProcessNext(message, pipeline, currentIndex);

    public override ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex) =>
        ProcessNextAsync(message, pipeline, currentIndex);
}

/// <summary>
/// Makes a server-sent-event stream that ends without <c>data: [DONE]</c> fail with an <see cref="IOException"/>
/// instead of ending quietly, so a truncated answer is reported (and retried) rather than taken as complete.
/// </summary>
internal sealed class StreamCompletionPolicy : PipelinePolicy
{
    public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        ProcessNext(message, pipeline, currentIndex);
        Wrap(message);
    }

    public override async ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        await ProcessNextAsync(message, pipeline, currentIndex).ConfigureAwait(false);
        Wrap(message);
    }

    private static void Wrap(PipelineMessage message)
    {
        if (message.Response is { IsError: false, ContentStream: { } stream } response
            && response.Headers.TryGetValue("Content-Type", out var type)
            && type?.Contains("text/event-stream", StringComparison.OrdinalIgnoreCase) == true)
        {
            response.ContentStream = new SseCompletionStream(stream);
        }
    }
}
