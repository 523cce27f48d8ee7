using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace AgentHost.Kernel.Hosting;

/// <summary>Starts read-only <c>git</c> commands for the kernel and CLI (status for the prompt, file lists for <c>agent init</c>).</summary>
public static class GitProcess
{
    /// <summary>
    /// Starts <paramref name="executable"/> with <paramref name="arguments"/> in <paramref name="directory"/>, output
    /// redirected as UTF-8, without optional locks or credential prompts.
    /// </summary>
    /// <param name="executable">The git executable (<c>git</c> on PATH, or a path).</param>
    /// <param name="directory">The working directory.</param>
    /// <param name="arguments">The arguments.</param>
    /// <returns>The process (dispose it), or <see langword="null"/> when git could not be started.</returns>
    public static Process? TryStart(string executable, string directory, params ReadOnlySpan<string> arguments)
    {
        var start = new ProcessStartInfo(executable)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["GIT_OPTIONAL_LOCKS"] = "0";
        start.Environment["GIT_TERMINAL_PROMPT"] = "0";
        try
        {
            return Process.Start(start);
        }
        catch (Exception ex) when (ex is Win32Exception or InvalidOperationException)
        {
            return null;
        }
    }
}
