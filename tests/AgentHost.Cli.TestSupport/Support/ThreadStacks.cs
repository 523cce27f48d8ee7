using System.Diagnostics;

namespace AgentHost.Tests.Support;

/// <summary>
/// The managed stacks of a live process, for a failure message about a process that hangs: <c>dotnet-stack report</c>
/// when the tool is on PATH (<c>dotnet tool install -g dotnet-stack</c>), else a line saying how to get them.
/// </summary>
public static class ThreadStacks
{
    public static async Task<string> ReportAsync(int processId)
    {
        try
        {
            using var tool = Process.Start(new ProcessStartInfo("dotnet-stack", ["report", "-p", processId.ToString(System.Globalization.CultureInfo.InvariantCulture)])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                var output = tool.StandardOutput.ReadToEndAsync(timeout.Token);
                var error = tool.StandardError.ReadToEndAsync(timeout.Token);
                await tool.WaitForExitAsync(timeout.Token);
                return $"its threads (dotnet-stack):\n{await output}{await error}";
            }
            catch (OperationCanceledException)
            {
                tool.Kill(entireProcessTree: true);
                throw;
            }
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or OperationCanceledException)
        {
            return $"(no thread stacks: dotnet-stack {(ex is OperationCanceledException ? "did not answer within 30 s" : "is not on PATH")}; install it with 'dotnet tool install -g dotnet-stack' to see them)";
        }
    }
}
