using System.Diagnostics;
using System.Globalization;
using AgentHost.Hosting.Configuration;
using AgentHost.Sdk;
using Microsoft.Extensions.Logging;

namespace AgentHost.Hosting.Plugins.Loading;

/// <summary>The load deadline: a plugin whose loading or <c>Register</c> blocks cannot hold up the host.</summary>
public sealed partial class PluginHost
{
    /// <summary>
    /// The default <see cref="LoadTimeout"/>: 10 seconds. First-party plugins load in well under a second even on a
    /// busy machine (the "Loaded plugin … in N ms" log line measures it; docs/architecture.md has figures).
    /// </summary>
    public static readonly TimeSpan DefaultLoadTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long one plugin may take to load (manifest, checks, assembly, <see cref="AgentPlugin.Register"/>, services)
    /// before the host goes on without it; <see cref="Timeout.InfiniteTimeSpan"/> waits forever. The work that
    /// overran keeps running in the background, but its capabilities are never registered. Set before loading.
    /// </summary>
    public TimeSpan LoadTimeout { get; set; } = DefaultLoadTimeout;

    /// <summary>
    /// The complete environment the processes plugins start on their own (language servers) must get instead of the
    /// host's (<see cref="Sdk.PluginContext.ProcessEnvironment"/>): a shared server's allow-list; <see langword="null"/>
    /// (the CLI) inherits the host's. Set before plugins load.
    /// </summary>
    public IReadOnlyDictionary<string, string>? ProcessEnvironment { get; set; }

    /// <summary>
    /// The sandbox the programs plugins start on their own (language servers) run in, given their command line
    /// (<see cref="Sdk.PluginContext.ProcessSandboxFor"/>): bound to the root the runtime serves; <see langword="null"/>
    /// for none. Set before plugins load.
    /// </summary>
    public Func<IReadOnlyList<string>, CancellationToken, ValueTask<Sdk.Tools.ProcessSandbox?>>? ProcessSandboxFor { get; set; }

    /// <summary>Reads <c>plugins.load_timeout</c> (whole seconds; 0 = no limit) from the configuration.</summary>
    /// <param name="configuration">The effective configuration.</param>
    /// <returns>The timeout; <see cref="DefaultLoadTimeout"/> when unset or not a number (the validator reports that).</returns>
    public static TimeSpan LoadTimeoutFrom(ConfigurationSnapshot configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return int.TryParse(configuration.Get("plugins.load_timeout"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0
            ? seconds == 0 ? Timeout.InfiniteTimeSpan : TimeSpan.FromSeconds(seconds)
            : DefaultLoadTimeout;
    }

    private async Task<PluginLoadResult> LoadWithDeadlineAsync(PluginLoadRequest request, AgentPlugin? instance, CancellationToken cancellationToken)
    {
        var attempt = new LoadAttempt(Path.GetFileName(Path.TrimEndingDirectorySeparator(request.Directory)));
        var loading = Task.Run(() => Load(request, instance, attempt, cancellationToken), cancellationToken);
        if (LoadTimeout == Timeout.InfiniteTimeSpan)
        {
            return await loading.ConfigureAwait(false);
        }

        try
        {
            return await loading.WaitAsync(LoadTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException) when (attempt.Abandon())
        {
            var seconds = LoadTimeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
            LogLoadTimedOut(attempt.PluginId, seconds);
            return Report(attempt.Abandoned with
            {
                Error = $"plugin '{attempt.PluginId}' did not finish loading within {seconds} s (its Register method or a service it builds is still running, " +
                        "e.g. waiting for the network or a lock); the host goes on without it. Fix the plugin (Register must only declare capabilities: " +
                        $"start slow work on first use), disable it with 'agent plugin disable {attempt.PluginId}', or raise plugins.load_timeout.",
            });
        }
        catch (TimeoutException)
        {
            // It committed just as the deadline passed: its result is moments away.
            return await loading.ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Plugin {PluginId} did not finish loading within {Seconds} s; continuing without it")]
    private partial void LogLoadTimedOut(string pluginId, string seconds);

    /// <summary>Thrown inside a load that finished after its deadline, to undo it.</summary>
    private sealed class LoadAbandonedException : Exception
    {
        public LoadAbandonedException()
            : base("the plugin finished loading after its deadline")
        {
        }
    }

    /// <summary>
    /// One load racing its deadline: exactly one of <see cref="TryCommit"/> (the load registers and reports) and
    /// <see cref="Abandon"/> (the host reports a time-out and ignores the load) wins.
    /// </summary>
    private sealed class LoadAttempt(string fallbackId)
    {
        private const int Running = 0;
        private const int Committed = 1;
        private const int Gone = 2;
        private readonly long _started = Stopwatch.GetTimestamp();
        private int _state;

        public string PluginId { get; private set; } = fallbackId;

        public string? Version { get; private set; }

        public long ElapsedMilliseconds => (long)Stopwatch.GetElapsedTime(_started).TotalMilliseconds;

        /// <summary>The result of an abandoned load (reported once, by the deadline).</summary>
        public PluginLoadResult Abandoned => new(PluginId, Version, PluginLoadStatus.Failed, "the plugin did not finish loading in time.");

        public void Identify(string pluginId, string version)
        {
            PluginId = pluginId;
            Version = version;
        }

        public bool TryCommit() => Interlocked.CompareExchange(ref _state, Committed, Running) != Gone;

        public bool Abandon() => Interlocked.CompareExchange(ref _state, Gone, Running) == Running;
    }
}
