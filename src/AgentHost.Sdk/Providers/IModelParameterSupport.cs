using Microsoft.Extensions.AI;

namespace AgentHost.Sdk.Providers;

/// <summary>
/// An optional service of a chat client, obtained with <c>client.GetService(typeof(IModelParameterSupport))</c>: which
/// of a request's model parameters (<see cref="ChatOptions.Temperature"/>, <see cref="ChatOptions.TopP"/>,
/// <see cref="ChatOptions.MaxOutputTokens"/>, <see cref="ChatOptions.StopSequences"/>, <see cref="ChatOptions.Seed"/>,
/// <see cref="ChatOptions.Reasoning"/>) the provider does not send for the request's model, and why.
/// </summary>
/// <remarks>
/// The host asks before a turn and tells the user once per session about each parameter that is not sent, so that no
/// setting is silently dropped. The client must not send what it reports (it leaves it out of the request), and must
/// send everything else it is given. Thread-safe; called from any thread, possibly while the client serves a request.
/// </remarks>
public interface IModelParameterSupport
{
    /// <summary>The model parameters of <paramref name="options"/> this client leaves out of its request.</summary>
    /// <param name="options">The request's options (its <see cref="ChatOptions.ModelId"/>, when set, names the model).</param>
    /// <returns>Each parameter left out, with the reason; empty when the client sends them all.</returns>
    IReadOnlyList<IgnoredModelParameter> FindIgnored(ChatOptions options);
}

/// <summary>A model parameter a provider does not send. Immutable.</summary>
/// <param name="name">The host's name of the parameter: <c>temperature</c>, <c>top_p</c>, <c>max_output_tokens</c>, <c>stop</c>, <c>seed</c> or <c>reasoning_effort</c>.</param>
/// <param name="reason">Why, for people, e.g. <c>OpenAI reasoning models (o3) take no temperature</c>.</param>
public sealed class IgnoredModelParameter(string name, string reason)
{
    /// <summary>The host's name of the parameter (<c>temperature</c>, <c>top_p</c>, <c>max_output_tokens</c>, <c>stop</c>, <c>seed</c>, <c>reasoning_effort</c>).</summary>
    public string Name { get; } = name ?? throw new ArgumentNullException(nameof(name));

    /// <summary>Why it is not sent, for people.</summary>
    public string Reason { get; } = reason ?? throw new ArgumentNullException(nameof(reason));

    /// <summary>A copy of <paramref name="options"/> without the parameters in <paramref name="ignored"/> (the same instance when there are none).</summary>
    /// <param name="options">The request's options.</param>
    /// <param name="ignored">The parameters to leave out (<see cref="IModelParameterSupport.FindIgnored"/>).</param>
    /// <returns>The options to send.</returns>
    public static ChatOptions Remove(ChatOptions options, IReadOnlyList<IgnoredModelParameter> ignored)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(ignored);
        if (ignored.Count == 0)
        {
            return options;
        }

        var result = options.Clone();
        foreach (var parameter in ignored)
        {
            switch (parameter.Name)
            {
                case "temperature":
                    result.Temperature = null;
                    break;
                case "top_p":
                    result.TopP = null;
                    break;
                case "max_output_tokens":
                    result.MaxOutputTokens = null;
                    break;
                case "stop":
                    result.StopSequences = null;
                    break;
                case "seed":
                    result.Seed = null;
                    break;
                case "reasoning_effort":
                    result.Reasoning = null;
                    break;
            }
        }

        return result;
    }
}
