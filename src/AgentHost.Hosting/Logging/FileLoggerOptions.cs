using AgentHost.Hosting.Security;
using Microsoft.Extensions.Logging;

namespace AgentHost.Hosting.Logging;

/// <summary>Settings of the <see cref="FileLoggerProvider"/>.</summary>
/// <param name="Directory">The logs folder, e.g. <see cref="Hosting.AgentPaths.LogsDirectory"/> (created on the first write).</param>
public sealed record FileLoggerOptions(string Directory)
{
    /// <summary>The default size at which the current file is rotated: 5 MiB.</summary>
    public const long DefaultMaxFileBytes = 5L * 1024 * 1024;

    /// <summary>The default number of files kept, the current one included.</summary>
    public const int DefaultMaxFiles = 5;

    /// <summary>The least severe level written (default <see cref="LogLevel.Information"/>; <see cref="LogLevel.None"/> writes nothing).</summary>
    public LogLevel MinimumLevel { get; init; } = LogLevel.Information;

    /// <summary>The size at which <c>agent.log</c> is renamed to <c>agent.1.log</c> and a new file started.</summary>
    public long MaxFileBytes { get; init; } = DefaultMaxFileBytes;

    /// <summary>How many files are kept, the current one included (<c>agent.log</c> … <c>agent.(n-1).log</c>).</summary>
    public int MaxFiles { get; init; } = DefaultMaxFiles;

    /// <summary>Pending bytes that make the writing thread flush at once (smaller batches are written by a pool thread).</summary>
    public int BufferBytes { get; init; } = 64 * 1024;

    /// <summary>Removes secrets from messages, exception texts and state values before they are written.</summary>
    public SecretScrubber Scrubber { get; init; } = SecretScrubber.PatternsOnly;

    /// <summary>The clock of the entries' timestamps.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// Told once, with a one-line explanation, when writing fails and logging is switched off for the rest of the
    /// process (e.g. the folder cannot be created). May be called on a pool thread.
    /// </summary>
    public Action<string>? OnError { get; init; }
}
