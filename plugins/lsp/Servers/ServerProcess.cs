using System.ComponentModel;
using System.Diagnostics;

namespace AgentHost.Plugins.Lsp.Servers;

/// <summary>A language server child process: stdio redirected, stderr kept (last lines) for crash reports, killed with its tree.</summary>
internal sealed class ServerProcess : IDisposable
{
    private const int KeptStderrLines = 20;
    private readonly Queue<string> _stderr = new();
    private readonly Process _process;

    private ServerProcess(Process process)
    {
        _process = process;
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
    /// <exception cref="Win32Exception">It could not be started.</exception>
    public static ServerProcess Start(string executable, IReadOnlyList<string> args, IReadOnlyDictionary<string, string> environment, string workingDirectory, Action<string>? stderrLine)
    {
        var info = new ProcessStartInfo(executable)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            CreateNoWindow = true,
            WorkingDirectory = workingDirectory,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var server = new ServerProcess(process);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
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
        };
        process.Start();
        process.BeginErrorReadLine();
        return server;
    }

    public Task WaitForExitAsync(CancellationToken cancellationToken) => _process.WaitForExitAsync(cancellationToken);

    /// <summary>Kills the process and its children (a language server often runs helpers, e.g. tsserver).</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or Win32Exception or NotSupportedException)
        {
            // Already gone.
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }
}
