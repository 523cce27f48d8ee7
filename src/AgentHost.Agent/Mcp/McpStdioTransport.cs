using System.Threading.Channels;
using AgentHost.Common.Processes;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace AgentHost.Agent.Mcp;

/// <summary>
/// The client transport of a stdio MCP server: the server is started by the host's one launcher
/// (<see cref="ProcessLauncher"/>: found on absolute PATH entries only, arguments as a list, its whole process tree
/// owned), and its standard output reaches the SDK's stream transport through a <see cref="McpCappedStream"/>, so what
/// it answers is capped while it is read. Each line it writes to standard error goes to <paramref name="stderrLine"/>.
/// Disposing the session closes the server's input, gives it <see cref="ShutdownTimeout"/> to exit, then kills its tree.
/// </summary>
/// <param name="definition">The server (its command, arguments and environment).</param>
/// <param name="workingDirectory">Where it runs.</param>
/// <param name="limits">The caps on what it sends.</param>
/// <param name="stderrLine">Receives each line of its standard error.</param>
/// <param name="dropped">Told when one of its messages was too large to pass.</param>
internal sealed class McpStdioTransport(
    McpServerDefinition definition, string workingDirectory, McpMessageLimits limits, Action<string> stderrLine, Action<string> dropped) : IClientTransport
{
    /// <summary>How long a server may take to exit once its input is closed, before its tree is killed.</summary>
    public static TimeSpan ShutdownTimeout { get; } = TimeSpan.FromSeconds(3);

    private OwnedProcess? _process;

    public string Name => definition.Name;

    /// <summary>
    /// Kills the server's tree at once, without the graceful <see cref="ShutdownTimeout"/>: for a start abandoned
    /// before the server answered (the session ended while a background start was under way).
    /// </summary>
    public void Kill() => Volatile.Read(ref _process)?.Kill();

    /// <summary>When the process has exited: how (its exit code), for a start that failed; <see langword="null"/> while it runs.</summary>
    public string? Exit
    {
        get
        {
            if (_process is not { HasExited: true } process)
            {
                return null;
            }

            try
            {
                return $"MCP server process exited unexpectedly (exit code {process.Process.ExitCode})";
            }
            catch (InvalidOperationException)
            {
                return "MCP server process exited unexpectedly";
            }
        }
    }

    public async Task<ITransport> ConnectAsync(CancellationToken cancellationToken = default)
    {
        var spec = new ProcessSpec(definition.Command!, definition.Args)
        {
            WorkingDirectory = workingDirectory,
            BaseEnvironment = definition.BaseEnvironment,
            Environment = definition.Environment.ToDictionary(p => p.Key, p => (string?)p.Value, StringComparer.Ordinal),
            KeepInputOpen = true,
            Sandbox = definition.Sandbox,
            Purpose = $"the MCP server '{definition.Name}' ('{definition.Command}')",
        };
        var process = ProcessLauncher.Start(spec, ProcessLauncher.CreateStartInfo(spec, ProcessLauncher.Resolve(spec)), p => p.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                stderrLine(line);
            }
        });
        _process = process;
        try
        {
            process.Process.BeginErrorReadLine();
            var output = new McpCappedStream(process.Process.StandardOutput.BaseStream, limits, dropped, () => WaitForExitAsync(process, TimeSpan.FromSeconds(2)));
            var inner = await new StreamClientTransport(process.Process.StandardInput.BaseStream, output).ConnectAsync(cancellationToken).ConfigureAwait(false);
            return new Session(inner, process);
        }
        catch
        {
            process.Dispose();
            throw;
        }
    }

    /// <summary>Waits for the process to exit (and its standard error to be read to the end), at most <paramref name="timeout"/>.</summary>
    private static async Task WaitForExitAsync(OwnedProcess process, TimeSpan timeout)
    {
        using var wait = new CancellationTokenSource(timeout);
        try
        {
            await process.Process.WaitForExitAsync(wait.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Still running with its output closed; disposing the session kills it.
        }
        catch (InvalidOperationException)
        {
            // Already released.
        }
    }

    private sealed class Session(ITransport inner, OwnedProcess process) : ITransport
    {
        private int _disposed;

        public string? SessionId => inner.SessionId;

        public ChannelReader<JsonRpcMessage> MessageReader => inner.MessageReader;

        public Task SendMessageAsync(JsonRpcMessage message, CancellationToken cancellationToken = default) =>
            inner.SendMessageAsync(message, cancellationToken);

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
            {
                return;
            }

            // The server first, so that the transport's read of its output ends with it.
            try
            {
                process.Process.StandardInput.Close();
            }
            catch (IOException)
            {
                // It already exited.
            }

            await WaitForExitAsync(process, ShutdownTimeout).ConfigureAwait(false);
            process.Dispose();
            await inner.DisposeAsync().ConfigureAwait(false);
        }
    }
}
