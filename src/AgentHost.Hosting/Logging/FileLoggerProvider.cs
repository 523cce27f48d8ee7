using System.Collections.Concurrent;
using System.Security;
using Microsoft.Extensions.Logging;

namespace AgentHost.Hosting.Logging;

/// <summary>
/// Writes log entries as JSON lines to <c>agent.log</c> in a folder, rotating by size (<c>agent.1.log</c>, …).
/// </summary>
/// <remarks>
/// <para>
/// Thread-safe. Entries are buffered: a pool thread writes each batch shortly after it starts, the logging thread
/// writes at once when the buffer is large or the entry is an error, and <see cref="Flush"/> and
/// <see cref="Dispose"/> write what is pending. Several processes may share the files (append, shared for
/// read, write and delete).
/// </para>
/// <para>
/// Every message, exception text and textual state value passes through <see cref="FileLoggerOptions.Scrubber"/>.
/// Writing never throws into the caller: the first failure switches the provider off and is reported once through
/// <see cref="FileLoggerOptions.OnError"/>.
/// </para>
/// </remarks>
public sealed class FileLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    private readonly ConcurrentDictionary<string, FileLogger> _loggers = new(StringComparer.Ordinal);
    private readonly Lock _bufferGate = new();
    private readonly Lock _fileGate = new();
    private readonly LogFileWriter _writer;
    private List<byte[]> _pending = [];
    private int _pendingBytes;
    private bool _flushQueued;
    private volatile bool _prepared;
    private volatile bool _stopped;
    private IExternalScopeProvider? _scopes;

    /// <summary>Creates the provider; nothing touches the disk before the first entry.</summary>
    /// <param name="options">The settings.</param>
    public FileLoggerProvider(FileLoggerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Directory);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxFiles, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxFileBytes, 1);
        Options = options;
        _writer = new LogFileWriter(Path.GetFullPath(options.Directory), options.MaxFileBytes, options.MaxFiles);
    }

    /// <summary>The settings.</summary>
    public FileLoggerOptions Options { get; }

    /// <summary>The current log file (<c>agent.log</c>).</summary>
    public string FilePath => _writer.CurrentPath;

    /// <summary>Whether writing failed and logging is off for the rest of this provider's life.</summary>
    public bool Failed { get; private set; }

    internal IExternalScopeProvider? Scopes => _scopes;

    /// <inheritdoc/>
    public ILogger CreateLogger(string categoryName) =>
        _loggers.GetOrAdd(categoryName ?? string.Empty, static (name, provider) => new FileLogger(name, provider), this);

    /// <inheritdoc/>
    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    /// <summary>Writes the pending entries now.</summary>
    public void Flush()
    {
        lock (_fileGate)
        {
            List<byte[]> batch;
            lock (_bufferGate)
            {
                _flushQueued = false;
                if (_pending.Count == 0)
                {
                    return;
                }

                batch = _pending;
                _pending = [];
                _pendingBytes = 0;
            }

            if (Failed)
            {
                return;
            }

            try
            {
                _writer.Write(batch);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or SecurityException)
            {
                Fail(ex);
            }
        }
    }

    /// <summary>Writes what is pending and stops logging.</summary>
    public void Dispose()
    {
        Flush();
        _stopped = true;
    }

    internal bool IsEnabled(LogLevel level) => !_stopped && level != LogLevel.None && level >= Options.MinimumLevel;

    internal void Enqueue(LogLevel level, byte[] line)
    {
        if (!_prepared && !Prepare())
        {
            return;
        }

        bool flushNow;
        var queue = false;
        lock (_bufferGate)
        {
            if (_stopped)
            {
                return;
            }

            _pending.Add(line);
            _pendingBytes += line.Length;
            flushNow = _pendingBytes >= Options.BufferBytes || level >= LogLevel.Error;
            if (!flushNow && !_flushQueued)
            {
                _flushQueued = true;
                queue = true;
            }
        }

        if (flushNow)
        {
            Flush();
        }
        else if (queue)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static provider => provider.Flush(), this, preferLocal: false);
        }
    }

    /// <summary>Creates the folder on the first entry's thread; false when that failed (and logging is off).</summary>
    private bool Prepare()
    {
        lock (_fileGate)
        {
            if (!_prepared && !Failed)
            {
                try
                {
                    _writer.Prepare();
                    _prepared = true;
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or SecurityException)
                {
                    Fail(ex);
                }
            }

            return _prepared;
        }
    }

    private void Fail(Exception exception)
    {
        Failed = true;
        _stopped = true;
        lock (_bufferGate)
        {
            _pending.Clear();
            _pendingBytes = 0;
        }

        var message = $"logging is off for this run: cannot write {FilePath} ({exception.Message.TrimEnd('.')}).";
        try
        {
            Options.OnError?.Invoke(message);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // Whoever asked to be told is gone; there is nobody left to tell.
        }
    }
}
