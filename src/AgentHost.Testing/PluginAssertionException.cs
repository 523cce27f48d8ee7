namespace AgentHost.Testing;

/// <summary>
/// A failed assertion of AgentHost.Testing. The message says what was expected, what happened, and lists the tool calls
/// that were made (arguments, status and the start of each result). Test frameworks report it as a test failure.
/// </summary>
public sealed class PluginAssertionException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PluginAssertionException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What was expected and what happened.</param>
    public PluginAssertionException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What was expected and what happened.</param>
    /// <param name="innerException">The cause.</param>
    public PluginAssertionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// <see cref="PluginTestHost"/> could not do what the test asked: the manifest was not found or is invalid, the plugin
/// was refused or failed while registering, or a tool name is unknown. The message says why and how to fix it.
/// </summary>
public sealed class PluginTestHostException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PluginTestHostException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong and the fix.</param>
    public PluginTestHostException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong and the fix.</param>
    /// <param name="innerException">The cause.</param>
    public PluginTestHostException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
