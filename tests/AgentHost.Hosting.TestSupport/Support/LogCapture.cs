using AgentHost.Hosting.Logging;
namespace AgentHost.Tests.Support;

/// <summary>The real file logger writing into a temporary folder, and what it wrote so far (flushed first).</summary>
public sealed class LogCapture : IDisposable
{
    private readonly TempDirectory _home = new();

    public LogCapture() => Loggers = new FileLoggerFactory(new FileLoggerOptions(_home.Combine("logs")));

    /// <summary>The logger factory to hand to the code under test.</summary>
    public FileLoggerFactory Loggers { get; }

    /// <summary>The text of agent.log after a flush (empty when nothing was logged).</summary>
    public string Text
    {
        get
        {
            Loggers.Flush();
            var path = Path.Combine(_home.Combine("logs"), "agent.log");
            return File.Exists(path) ? File.ReadAllText(path) : string.Empty;
        }
    }

    public void Dispose()
    {
        Loggers.Dispose();
        _home.Dispose();
    }
}
