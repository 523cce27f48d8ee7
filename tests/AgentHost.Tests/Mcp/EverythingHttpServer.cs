using System.Diagnostics;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Mcp;

/// <summary>server-everything over HTTP (<c>streamableHttp</c> at <c>/mcp</c>, or <c>sse</c> at <c>/sse</c>) on a free port, reached on 127.0.0.1; killed on dispose.</summary>
internal sealed class EverythingHttpServer : IAsyncDisposable
{
    private readonly Process _process;

    private EverythingHttpServer(Process process, Uri url)
    {
        _process = process;
        Url = url;
    }

    public Uri Url { get; }

    public static async Task<EverythingHttpServer> StartAsync(string mode)
    {
        var port = Ports.Free();
        var start = new ProcessStartInfo(McpTestServers.Everything, mode) { RedirectStandardError = true, RedirectStandardOutput = true };
        start.Environment["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var process = Process.Start(start)!;
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data?.Contains(port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal) == true)
            {
                listening.TrySetResult();
            }
        };
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        await listening.Task.WaitAsync(TimeSpan.FromSeconds(30));
        return new EverythingHttpServer(process, new Uri($"http://127.0.0.1:{port}/{(mode == "sse" ? "sse" : "mcp")}"));
    }

    public async ValueTask DisposeAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
