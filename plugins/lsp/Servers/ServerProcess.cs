using System.Diagnostics;
using AgentHost.Common.Processes;
using AgentHost.Sdk.Tools;

namespace AgentHost.Plugins.Lsp.Servers;

/// <summary>
/// A language server child process, started by the host's one launcher (in the sandbox of its root, when the host gives
/// one): stdio redirected, stderr kept (last lines) for crash reports, killed with its tree. If the host itself dies, the server reads end-of-file on its input (the host held
/// the only writer), which makes every LSP server exit.
/// </summary>
internal sealed class ServerProcess : IDisposable
{
    private const int KeptStderrLines = 20;
    private readonly Queue<string> _stderr = new();
    private readonly OwnedProcess _owned;
    private readonly Process _process;

    private ServerProcess(OwnedProcess owned)
    {
        _owned = owned;
        _process = owned.Process;
    }

    public Stream Input => _process.StandardInput.BaseStream;

    public Stream Output => _process.StandardOutput.BaseStream;

    public int Id => _process.Id;

    public bool HasExited
    {
        get
        {
            try
            {
                return _process.HasExited;
            }
            catch (InvalidOperationException)
            {
                return true;
            }
        }
    }

    public int? ExitCode => HasExited ? _process.ExitCode : null;

    /// <summary>The last lines the server wrote to stderr.</summary>
    public string StderrTail
    {
        get
        {
            lock (_stderr)
            {
                return string.Join('\n', _stderr);
            }
        }
    }

    /// <summary>Starts the process.</summary>
    /// <param name="executable">The absolute path found by the server manager.</param>
    /// <exception cref="ProgramStartException">It could not be started.</exception>
    /// <param name="baseEnvironment">The complete environment it starts from (a shared server's allow-list), or <see langword="null"/> for the host's.</param>
    /// <param name="sandbox">The sandbox of its root (<c>sandbox.lsp_servers</c>), or <see langword="null"/> for none.</param>
    public static ServerProcess Start(
        string executable, IReadOnlyList<string> args, IReadOnlyDictionary<string, string> environment, IReadOnlyDictionary<string, string>? baseEnvironment, ProcessSandbox? sandbox, string workingDirectory, Action<string>? stderrLine)
    {
        var spec = new ProcessSpec(executable, args)
        {
            WorkingDirectory = workingDirectory,
            BaseEnvironment = baseEnvironment,
            Sandbox = sandbox,
            Environment = environment.ToDictionary(p => p.Key, p => (string?)p.Value, StringComparer.Ordinal),
            KeepInputOpen = true,
            Purpose = "the language server",
        };
        var info = ProcessLauncher.CreateStartInfo(spec, ProcessLauncher.Resolve(spec));
        info.StandardOutputEncoding = null;
        info.StandardErrorEncoding = null;
        info.StandardInputEncoding = null;
        ServerProcess? server = null;
        var owned = ProcessLauncher.Start(spec, info, process => process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null || server is null)
            {
                return;
            }

            lock (server._stderr)
            {
                server._stderr.Enqueue(e.Data);
                while (server._stderr.Count > KeptStderrLines)
                {
                    server._stderr.Dequeue();
                }
            }

            stderrLine?.Invoke(e.Data);
        });
        server = new ServerProcess(owned);
        owned.Process.BeginErrorReadLine();
        return server;
    }

    public Task WaitForExitAsync(CancellationToken cancellationToken) => _process.WaitForExitAsync(cancellationToken);

    /// <summary>Kills the process and its children (a language server often runs helpers, e.g. tsserver).</summary>
    public void Kill() => _owned.Kill();

    public void Dispose() => _owned.Dispose();
}
