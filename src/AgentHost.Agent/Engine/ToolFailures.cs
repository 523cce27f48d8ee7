using System.Reflection;

namespace AgentHost.Agent.Engine;

/// <summary>Tells expected failures (bad input, a missing file, a plugin's own error) from bugs (a null dereference, a bad cast).</summary>
/// <remarks>
/// A bug is an exception the runtime throws for a programming error. The model is told only that an internal error
/// happened (its message would say nothing useful and might leak internals); the log gets the stack. Every other
/// exception — above all <see cref="AgentHost.Sdk.Tools.ToolException"/>, the SDK's expected failure, then argument
/// errors, I/O and access errors for a path, provider errors from tools not written against the SDK (MCP tools) — is
/// an expected failure whose message the model can act on.
/// </remarks>
internal static class ToolFailures
{
    /// <summary>Whether <paramref name="exception"/> (unwrapped) is a programming error rather than an expected failure.</summary>
    public static bool IsBug(Exception exception) => Unwrap(exception) is not AgentHost.Sdk.Tools.ToolException and (
        NullReferenceException or InvalidCastException or IndexOutOfRangeException or KeyNotFoundException
        or DivideByZeroException or ArrayTypeMismatchException or NotImplementedException or ObjectDisposedException
        or InvalidProgramException or MissingMemberException or TypeLoadException or TypeInitializationException
        or BadImageFormatException or AccessViolationException or OutOfMemoryException or InsufficientExecutionStackException
        or System.Runtime.InteropServices.SEHException);

    /// <summary>The innermost meaningful exception (through reflection and aggregate wrappers).</summary>
    public static Exception Unwrap(Exception exception)
    {
        while (exception is TargetInvocationException or AggregateException && exception.InnerException is not null)
        {
            exception = exception.InnerException;
        }

        return exception;
    }

    /// <summary>The message of the unwrapped exception, one line, or its type name when it has none.</summary>
    public static string MessageOf(Exception exception)
    {
        var inner = Unwrap(exception);
        return string.IsNullOrWhiteSpace(inner.Message) ? inner.GetType().Name : inner.Message.ReplaceLineEndings(" ").Trim();
    }
}
