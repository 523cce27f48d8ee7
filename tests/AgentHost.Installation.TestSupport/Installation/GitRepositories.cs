using System.Diagnostics;

namespace AgentHost.Tests.Installation;

/// <summary>Real local git repositories for install tests, served by <c>file://</c> URLs (no network).</summary>
public static class GitRepositories
{
    /// <summary>Makes <paramref name="folder"/> a repository on branch <c>main</c> and commits everything in it.</summary>
    /// <returns>The commit.</returns>
    public static string InitAndCommit(string folder, string message = "initial")
    {
        Git(folder, "init", "--quiet", "--initial-branch=main");
        return Commit(folder, message);
    }

    /// <summary>Commits everything in the repository.</summary>
    /// <returns>The new commit.</returns>
    public static string Commit(string folder, string message)
    {
        Git(folder, "add", "--all");
        Git(folder, "-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false", "commit", "--quiet", "--allow-empty", "-m", message);
        return Git(folder, "rev-parse", "HEAD").Trim();
    }

    /// <summary>Creates a bare clone of <paramref name="folder"/> at <paramref name="bare"/> (a "server" repository).</summary>
    public static string Bare(string folder, string bare)
    {
        Git(Path.GetDirectoryName(bare)!, "clone", "--quiet", "--bare", folder, bare);
        return bare;
    }

    /// <summary>The <c>file://</c> URL of a repository folder.</summary>
    public static string FileUrl(string folder) => new Uri(folder).AbsoluteUri;

    /// <summary>Runs git with no user or system configuration; throws with its error output when it fails.</summary>
    public static string Git(string directory, params string[] arguments)
    {
        var info = new ProcessStartInfo("git")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["GIT_CONFIG_GLOBAL"] = "/dev/null";
        info.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        using var process = Process.Start(info)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0
            ? output
            : throw new InvalidOperationException($"git {string.Join(' ', arguments)} failed ({process.ExitCode}): {error.Result}");
    }
}
