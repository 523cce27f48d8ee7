using System.Diagnostics;

namespace AgentHost.Tests.Support;

/// <summary>Runs the built <c>agent</c> as a real child process (via <c>dotnet agent.dll</c>, portable across OSes).</summary>
public static class AgentProcess
{
    public static string AgentDll { get; } = Path.Combine(AppContext.BaseDirectory, "agent.dll");

    public static async Task<CliResult> RunAsync(string workingDirectory, IDictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(AgentDll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"agent {string.Join(' ', args)} did not exit (headless runs must never wait for input)");
        }

        return new CliResult(process.ExitCode, await stdout, await stderr);
    }
}
