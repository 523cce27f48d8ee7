namespace AgentHost.Hosting;

/// <summary>Why an operation failed, as far as a user needs to know; front ends map it to exit codes.</summary>
public enum ErrorKind
{
    /// <summary>An unexpected failure (a bug).</summary>
    Internal,

    /// <summary>The command was used wrongly.</summary>
    Usage,

    /// <summary>A configuration file or value is wrong.</summary>
    Configuration,

    /// <summary>Something named does not exist.</summary>
    NotFound,

    /// <summary>A plugin could not be installed, verified or loaded.</summary>
    Plugin,

    /// <summary>A model provider failed.</summary>
    Provider,

    /// <summary>The action was denied.</summary>
    Denied,

    /// <summary>Something is in use by another process (a session another run is writing).</summary>
    InUse,

    /// <summary>A data file cannot be written (read-only folder, full disk): the message names the file and the fix.</summary>
    Storage,
}

/// <summary>A failure with a message written for the user: what went wrong, where, and how to fix it.</summary>
public class AgentHostException : Exception
{
    /// <summary>Creates an exception.</summary>
    /// <param name="kind">The kind of failure.</param>
    /// <param name="message">The user-facing message (what, where, fix).</param>
    /// <param name="innerException">The cause, shown only with <c>--verbose</c>.</param>
    public AgentHostException(ErrorKind kind, string message, Exception? innerException = null)
        : base(message, innerException) => Kind = kind;

    /// <summary>The kind of failure.</summary>
    public ErrorKind Kind { get; }
}
