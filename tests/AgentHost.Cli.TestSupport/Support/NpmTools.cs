namespace AgentHost.Tests.Support;

/// <summary>Tools the tests run from npm installs under <c>tests/</c> (<c>npm ci --prefix tests/…</c>; .ci/run does it).</summary>
public static class NpmTools
{
    /// <summary>
    /// The <c>node_modules/.bin</c> folder of <c>tests/<paramref name="folder"/></c> above the test binaries, when
    /// <paramref name="probe"/> (an executable the install puts there) is in it; otherwise <see langword="null"/>.
    /// </summary>
    public static string? FindBin(string folder, string probe)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var bin = Path.Combine(dir.FullName, "tests", folder, "node_modules", ".bin");
            if (File.Exists(Path.Combine(bin, OperatingSystem.IsWindows() ? probe + ".cmd" : probe)))
            {
                return bin;
            }
        }

        return null;
    }
}
