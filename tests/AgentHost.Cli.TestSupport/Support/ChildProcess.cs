using System.Diagnostics;

namespace AgentHost.Tests.Support;

/// <summary>Runs a child process to its end with its output read, killing it (and its children) when it overstays.</summary>
public static class ChildProcess
{
    /// <summary>
    /// Starts <paramref name="start"/> with standard output and error redirected, writes <paramref name="input"/> (then
    /// closes standard input) when given, and waits for the end.
    /// </summary>
    /// <param name="start">What to run (its redirection flags are set here).</param>
    /// <param name="timeout">How long it may take.</param>
    /// <param name="what">How a time-out names it ("node client.mjs", "agent run …").</param>
    /// <param name="input">Standard input's text, or <see langword="null"/> to leave standard input alone.</param>
    /// <returns>The exit code and what it printed.</returns>
    /// <exception cref="TimeoutException">It did not end in time (it was killed); the message has its standard error.</exception>
    public static async Task<CliResult> RunAsync(ProcessStartInfo start, TimeSpan timeout, string what, string? input = null)
    {
        ArgumentNullException.ThrowIfNull(start);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.RedirectStandardInput = input is not null || start.RedirectStandardInput;
        start.UseShellExecute = false;
        using var process = Process.Start(start)!;
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
            process.StandardInput.Close();
        }

        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var overstay = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(overstay.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{what} did not finish in {timeout.TotalSeconds:0} s: {await stderr}");
        }

        return new CliResult(process.ExitCode, await stdout, await stderr);
    }
}
