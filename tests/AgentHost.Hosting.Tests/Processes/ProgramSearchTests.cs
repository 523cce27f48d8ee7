using AgentHost.Common.Processes;
using AgentHost.Tests.Processes;
using AgentHost.Tests.Support;

namespace AgentHost.Hosting.Tests.Processes;

/// <summary>The host's one program search: absolute PATH entries only, never the working directory or the project.</summary>
public sealed class ProgramSearchTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public ProgramSearchTests()
    {
        Program(_temp.Combine("project", "tool"));
        Program(_temp.Combine("project", "node_modules", ".bin", "tool"));
        Program(_temp.Combine("system", "tool"));
        Program(_temp.Combine("other", "tool"));
    }

    private string System => _temp.Combine("system");

    private string ProjectRoot => _temp.Combine("project");

    public void Dispose() => _temp.Dispose();

    /// <summary>
    /// Relative entries that lead, from this process's working directory, to folders holding <c>tool</c> (the search
    /// must not resolve them at all); and empty entries, which a shell reads as the working directory.
    /// </summary>
    [Theory]
    [InlineData("project")]
    [InlineData("project/node_modules/.bin")]
    [InlineData("./project")]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("\"\"")]
    public void Find_SkipsRelativeAndEmptyPathEntries(string entry)
    {
        var relative = entry.Trim().Trim('"').Length == 0 ? entry
            : (entry.StartsWith("./", StringComparison.Ordinal) ? "./" : string.Empty)
              + Path.GetRelativePath(Environment.CurrentDirectory, _temp.Combine(entry.Replace("./", string.Empty, StringComparison.Ordinal).Split('/')));
        Assert.False(Path.IsPathFullyQualified(relative));
        var path = string.Join(Path.PathSeparator, relative, System);

        var found = ProgramSearch.Find("tool", path);

        Assert.Equal(Path.Combine(System, "tool"), found);
    }

    [Fact]
    public void Find_WithNoAbsoluteEntry_FindsNothing_ThoughARelativeEntryHoldsTheProgram()
    {
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, ProjectRoot);

        Assert.Null(ProgramSearch.Find("tool", relative));
        Assert.Null(ProgramSearch.Find("tool", string.Empty));
    }

    [Theory]
    [InlineData("project/tool")]
    [InlineData("project/node_modules/.bin/tool")]
    public void Find_NeverRunsARelativePath(string program)
    {
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, _temp.Combine(program.Split('/')));
        Assert.True(File.Exists(Path.GetFullPath(relative)));

        Assert.Null(ProgramSearch.Find(relative, System));
        Assert.Null(ProgramSearch.Find("./" + relative, System));
    }

    [Theory]
    [InlineData("project")]
    [InlineData("project/node_modules/.bin")]
    public void Find_SkipsAbsoluteEntriesInsideTheProject_AndTakesTheNextOne(string inside)
    {
        var path = string.Join(Path.PathSeparator, _temp.Combine(inside.Split('/')), System);

        var found = ProgramSearch.Find("tool", path, [ProjectRoot]);

        Assert.Equal(Path.Combine(System, "tool"), found);
    }

    [UnixFact("symbolic links, which need a privilege to create on Windows")]
    public void Find_SkipsALinkOnPathThatLeadsIntoTheProject()
    {
        var links = _temp.Combine("links");
        Directory.CreateDirectory(links);
        File.CreateSymbolicLink(Path.Combine(links, "tool"), _temp.Combine("project", "tool"));
        Directory.CreateSymbolicLink(_temp.Combine("linked-dir"), ProjectRoot);

        Assert.Equal(Path.Combine(System, "tool"), ProgramSearch.Find("tool", string.Join(Path.PathSeparator, links, System), [ProjectRoot]));
        Assert.Equal(Path.Combine(System, "tool"), ProgramSearch.Find("tool", string.Join(Path.PathSeparator, _temp.Combine("linked-dir"), System), [ProjectRoot]));
    }

    [Fact]
    public void Find_TakesAnAbsolutePath_AsConfigured_EvenInsideTheProject()
    {
        var configured = _temp.Combine("project", "tool");

        Assert.Equal(configured, ProgramSearch.Find(configured, System, [ProjectRoot]));
    }

    [UnixFact("the execute bit, which Windows does not have")]
    public void Find_SkipsAFileWithoutTheExecuteBit()
    {
        File.WriteAllText(_temp.Combine("other", "plain"), "#!/bin/sh\n");
        Program(_temp.Combine("system", "plain"));

        Assert.Equal(Path.Combine(System, "plain"), ProgramSearch.Find("plain", string.Join(Path.PathSeparator, _temp.Combine("other"), System)));
    }

    [Fact]
    public void AbsoluteOnly_KeepsOnlyAbsoluteEntries_InOrder()
    {
        var value = string.Join(Path.PathSeparator, ".", System, string.Empty, "node_modules/.bin", _temp.Combine("other"));

        Assert.Equal(string.Join(Path.PathSeparator, System, _temp.Combine("other")), ProgramSearch.AbsoluteOnly(value));
    }

    [Fact]
    public async Task Launcher_RefusesAProgramOnlyFoundInTheProject_NamingWhereItLooked()
    {
        var spec = new ProcessSpec("tool", []) { RefusedRoots = [ProjectRoot], Environment = new Dictionary<string, string?> { ["PATH"] = ProjectRoot }, Purpose = "the tool" };

        var error = await Assert.ThrowsAsync<ProgramStartException>(() => ProcessLauncher.RunAsync(spec, TimeSpan.FromSeconds(30)));

        Assert.True(error.NotFound);
        Assert.Contains("the tool was not found on PATH (only absolute PATH entries are searched, never the working directory or the project)", error.Message, StringComparison.Ordinal);
    }

    [UnixFact("/bin/sh")]
    public async Task Launcher_RunsAShellCommand_AndReadsItsOutput()
    {
        var result = await ProcessLauncher.RunAsync(new ProcessSpec("/bin/sh", ["-c", "echo out; echo err >&2; exit 3"]), TimeSpan.FromSeconds(30));

        Assert.Equal(3, result.ExitCode);
        Assert.Equal("out\n", result.Output);
        Assert.Equal("err\n", result.Error);
        Assert.False(result.TimedOut);
    }

    [LinuxFact("pidfd, to see the grandchild end")]
    [Trait("Speed", "Slow")]
    public async Task Launcher_KillsTheWholeTree_WhenTheTimeoutPasses()
    {
        var fifo = ProcessWatch.MakeFifo(_temp.Combine("pid"));
        var run = ProcessLauncher.RunAsync(new ProcessSpec("/bin/sh", ["-c", $"sleep 300 & echo $! > '{fifo}'; wait"]), TimeSpan.FromSeconds(2));
        var sleep = await ProcessWatch.ReadPidAsync(fifo);

        var result = await run;

        Assert.True(result.TimedOut);
        Assert.True(await ProcessWatch.EndsWithinAsync(sleep, TimeSpan.FromSeconds(30)), "the grandchild outlived the timeout");
    }

    private static void Program(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "#!/bin/sh\nexit 0\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }
}
