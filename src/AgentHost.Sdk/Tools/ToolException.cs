namespace AgentHost.Sdk.Tools;

/// <summary>
/// An expected failure of a tool call: a file that does not exist, a bad argument, a path outside the workspace. The
/// host turns it into an error result whose text is <see cref="Exception.Message"/> (so write it for the model: what
/// went wrong and what to do instead) and logs it without alarm. Any other exception a tool throws is treated as a
/// bug: logged with its stack, and the model is told only that an internal error happened.
/// </summary>
public class ToolException : Exception
{
    /// <summary>Creates an expected failure with no message (the model sees the type name; prefer a message).</summary>
    public ToolException()
    {
    }

    /// <summary>Creates an expected failure.</summary>
    /// <param name="message">What the model is told.</param>
    public ToolException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an expected failure caused by another exception (kept for the log; the model sees only <paramref name="message"/>).</summary>
    /// <param name="message">What the model is told.</param>
    /// <param name="innerException">The cause.</param>
    public ToolException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
