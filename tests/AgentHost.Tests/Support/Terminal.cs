using System.Diagnostics;
using System.Text;

namespace AgentHost.Tests.Support;

/// <summary>
/// Runs the built <c>agent</c> inside a real pseudo-terminal (util-linux <c>script</c>), so it sees a person at a
/// terminal: prompts are shown and answered from <c>input</c> as if typed. Linux only.
/// </summary>
public static class Terminal
{
    /// <summary>Whether a pseudo-terminal can be made here (Linux with util-linux <c>script</c>).</summary>
    public static bool IsAvailable => PseudoTerminal.IsAvailable;

    /// <summary>Runs agent with the lines of <paramref name="input"/> typed at the terminal; returns everything the terminal showed.</summary>
    public static async Task<CliResult> RunAsync(string workingDirectory, IDictionary<string, string> environment, string input, params string[] args)
    {
        var command = new StringBuilder("dotnet ").Append(Quote(AgentProcess.AgentDll));
        foreach (var arg in args)
        {
            command.Append(' ').Append(Quote(arg));
        }

        var start = new ProcessStartInfo("/usr/bin/script")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "-q", "-e", "-c", command.ToString(), "/dev/null" })
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in ProviderIsolation.Variables)
        {
            start.Environment[key] = value;
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        // A person is at this terminal: no CI marker, whatever the test runner's environment says.
        start.Environment.Remove("CI");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(input);
        await process.StandardInput.FlushAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"agent {string.Join(' ', args)} did not exit in the terminal; it showed:\n{await stdout}");
        }
        finally
        {
            process.StandardInput.Close();
        }

        return new CliResult(process.ExitCode, (await stdout).Replace("\r\n", "\n", StringComparison.Ordinal), await stderr);
    }

    private static string Quote(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
