using System.Diagnostics;

namespace AgentHost.Tests.Support;

/// <summary>Runs the built <c>agent</c> as a real child process (via <c>dotnet agent.dll</c>, portable across OSes).</summary>
public static class AgentProcess
{
    /// <summary>
    /// The environment variable naming another build of <c>agent.dll</c> for the tests to run, e.g. a ReadyToRun publish
    /// of the same commit (less JIT time per process; CI sets it to the release build it publishes, docs/testing.md).
    /// </summary>
    public const string AgentDllVariable = "AGENT_TEST_AGENT_DLL";

    /// <summary>
    /// The <c>agent.dll</c> the tests run: the one <see cref="AgentDllVariable"/> names, else the build beside
    /// the tests. A named file that does not exist is an error, never a silent fallback to the other build.
    /// </summary>
    public static string AgentDll { get; } = Locate(Environment.GetEnvironmentVariable(AgentDllVariable));

    public static string Locate(string? named)
    {
        if (string.IsNullOrEmpty(named))
        {
            return Path.Combine(AppContext.BaseDirectory, "agent.dll");
        }

        var full = Path.GetFullPath(named);
        return File.Exists(full)
            ? full
            : throw new InvalidOperationException($"{AgentDllVariable} names '{named}', which does not exist: publish agent there (as .ci/run does) or unset {AgentDllVariable} to run the build beside the tests.");
    }

    public static Task<CliResult> RunAsync(string workingDirectory, IDictionary<string, string> environment, params string[] args) =>
        RunWithInputAsync(workingDirectory, environment, null, args);

    /// <summary>Starts agent with stdin closed and stdout/stderr redirected; the caller reads and waits.</summary>
    public static Process Start(string workingDirectory, IDictionary<string, string> environment, params string[] args)
    {
        var process = Process.Start(CreateStartInfo(workingDirectory, environment, args))!;
        process.StandardInput.Close();
        return process;
    }

    public static async Task<CliResult> RunWithInputAsync(string workingDirectory, IDictionary<string, string> environment, string? input, params string[] args)
    {
        using var process = Process.Start(CreateStartInfo(workingDirectory, environment, args))!;
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
        }

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

    private static ProcessStartInfo CreateStartInfo(string workingDirectory, IDictionary<string, string> environment, string[] args)
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

        // No test reaches a real model service: known key variables emptied, local servers' addresses on a closed port.
        foreach (var (key, value) in ProviderIsolation.Variables)
        {
            start.Environment[key] = value;
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        return start;
    }
}
