namespace AgentHost.Cli.Rendering;

/// <summary>Where <c>--output text</c> writes the model's streamed answer when it does not go to stdout as it came.</summary>
internal interface IAnswerWriter
{
    /// <summary>Takes the next piece of the answer.</summary>
    void Append(string text);

    /// <summary>Writes what is pending: the message ended, or other output follows.</summary>
    void Flush();

    /// <summary>Drops what is pending (a retried step replaces its partial answer).</summary>
    void Discard();
}
