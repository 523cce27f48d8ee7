using System.Diagnostics;
using System.Text;

namespace AgentHost.Tests.Template;

/// <summary>
/// Runs a nested <c>dotnet</c> command (new, test, pack) as a user would from a shell: without the MSBuild and VSTest
/// variables the test host inherits from the outer <c>dotnet test</c>, which would point the nested build at the outer
/// SDK's MSBuild instance and test session.
/// </summary>
internal static class DotnetProcess
{
    /// <summary>
    /// Variables the outer dotnet/MSBuild/VSTest process sets for the test host: MSBuildExtensionsPath, MSBuildSDKsPath
    /// and MSBuildLoadMicrosoftTargetsReadOnly pin a nested build to the outer SDK's MSBuild (wrong when the nested
    /// folder selects another SDK); DOTNET_HOST_PATH, MSBUILDENSURESTDOUTFORTASKPROCESSES, _MSBUILDTLENABLED and
    /// VSTEST_* (VSTEST_DOTNET_ROOT_PATH, VSTEST_MSBUILD_NOLOGO…) change how the nested CLI, build and test run behave.
    /// </summary>
    private static readonly string[] InheritedPrefixes = ["MSBUILD", "_MSBUILD", "VSTEST", "TESTINGPLATFORM", "DOTNET_HOST_PATH", "DOTNET_CLI_TEST"];

    /// <summary>Whether an inherited variable is dropped for nested dotnet processes (compared ignoring case).</summary>
    public static bool IsInheritedBuildVariable(string name) =>
        InheritedPrefixes.Any(prefix => name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase));

    /// <summary>Runs <c>dotnet args</c> and returns the exit code with stdout and stderr interleaved.</summary>
    /// <exception cref="TimeoutException">The process did not exit in time; it is killed and its output is in the message.</exception>
    public static Task<(int ExitCode, string Output)> RunAsync(string workingDirectory, IReadOnlyDictionary<string, string> environment, TimeSpan timeout, params string[] args) =>
        RunProgramAsync("dotnet", workingDirectory, environment, timeout, args);

    /// <summary>Runs <paramref name="program"/> (a path, or a name found on PATH) as <see cref="RunAsync"/> runs dotnet.</summary>
    /// <exception cref="TimeoutException">The process did not exit in time; it is killed and its output is in the message.</exception>
    public static async Task<(int ExitCode, string Output)> RunProgramAsync(string program, string workingDirectory, IReadOnlyDictionary<string, string> environment, TimeSpan timeout, params string[] args)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var name in start.Environment.Keys.Where(IsInheritedBuildVariable).ToList())
        {
            start.Environment.Remove(name);
        }

        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";   // no build nodes outlive the command
        start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            throw new TimeoutException($"{program} {string.Join(' ', args)} (in {workingDirectory}) did not exit within {timeout.TotalMinutes} minutes; output so far:\n{Text(output)}");
        }

        process.WaitForExit();   // drains the asynchronous output readers
        return (process.ExitCode, Text(output));
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is not null)
        {
            lock (output)
            {
                output.AppendLine(line);
            }
        }
    }

    private static string Text(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }
}
