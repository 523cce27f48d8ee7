using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Cli;

/// <summary>
/// A mistyped option is a usage error with a "did you mean", for every command, through the real CLI: never part of a
/// prompt, never silently ignored. A prompt that starts with '-' goes after '--'; '-' alone still reads standard input.
/// </summary>
public sealed class UnknownOptionTests
{
    [Theory]
    [InlineData("--modle", "did you mean '--model'?", "run", "fix it", "--modle", "foo")]
    [InlineData("--permision-mode", "did you mean '--permission-mode'?", "run", "fix it", "--permision-mode", "yolo")]
    [InlineData("--bogus", "for 'agent run'.", "run", "x", "--bogus")]
    [InlineData("--hlep", "did you mean '--help'?", "run", "--hlep")]
    [InlineData("--bogus", "for 'agent doctor'.", "doctor", "--bogus")]
    [InlineData("--verbos", "did you mean '--verbose'?", "doctor", "--verbos")]
    [InlineData("--al", "did you mean '--all'?", "session", "list", "--al")]
    [InlineData("--jsn", "did you mean '--json'?", "models", "--jsn")]
    public async Task AnUnknownOption_IsAUsageError_NamingIt_WithACloseMatch(string word, string hint, params string[] args)
    {
        using var ws = new RunWorkspace();

        var result = await ws.RunAsync(args);

        Assert.True(result.ExitCode == ExitCodes.Usage, $"exit {result.ExitCode}: {result.Error}{result.Output}");
        Assert.Contains($"unknown option '{word}'", result.Error, StringComparison.Ordinal);
        Assert.Contains(hint, result.Error, StringComparison.Ordinal);
        Assert.Equal(string.Empty, result.Output);
    }

    [Fact]
    public async Task RunsUnknownOption_ExplainsDoubleDash()
    {
        using var ws = new RunWorkspace();

        var result = await ws.RunAsync("run", "x", "--bogus");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("goes after '--'", result.Error, StringComparison.Ordinal);
        Assert.Contains("Run 'agent run --help' for usage.", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task APromptThatStartsWithADash_GoesAfterDoubleDash_Verbatim()
    {
        using var ws = new RunWorkspace();
        var script = ws.WriteScript("turns:\n  - expect: { last_user_contains: '--bogus is not an option here' }\n    text: taken literally\n");

        var result = await ws.RunAsync("run", "-p", "scripted", "-m", "scripted/" + script, "-o", "final", "--", "--bogus is not an option here");

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        Assert.Equal("taken literally", result.Output.Trim());
    }

    [Fact]
    public async Task ANegativeOptionValue_IsNotAnUnknownOption()
    {
        using var ws = new RunWorkspace();
        var script = ws.WriteScript("turns:\n  - text: fine\n");

        var result = await ws.RunAsync("run", "task", "-p", "scripted", "-m", "scripted/" + script, "-o", "final", "--max-steps", "-1");

        Assert.DoesNotContain("unknown option", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADashAlone_StillReadsStandardInput()
    {
        using var ws = new RunWorkspace();
        var script = ws.WriteScript("turns:\n  - expect: { last_user_contains: \"review\\n\\nthe piped diff\" }\n    text: read both\n");

        var result = await AgentProcess.RunWithInputAsync(ws.Root, ws.Environment, "the piped diff\n", "run", "review", "-", "-p", "scripted", "-m", "scripted/" + script, "-o", "final");

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        Assert.Equal("read both", result.Output.Trim());
    }

    [Theory]
    [InlineData("sesion", "for 'agent'; did you mean 'session'?", "sesion", "list")]
    [InlineData("rnu", "for 'agent'; did you mean 'run'?", "rnu", "fix the test")]
    [InlineData("lsit", "for 'agent session'; did you mean 'list'?", "session", "lsit")]
    [InlineData("xyzzy", "for 'agent'. Commands: run, ", "xyzzy")]
    public async Task AMistypedCommand_IsAUsageError_WithACloseMatch_AndNothingElse(string word, string hint, params string[] args)
    {
        using var ws = new RunWorkspace();

        var result = await ws.RunAsync(args);

        Assert.True(result.ExitCode == ExitCodes.Usage, $"exit {result.ExitCode}: {result.Error}{result.Output}");
        Assert.Contains($"error: unknown command '{word}' {hint}", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Required command was not provided", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Unrecognized command or argument", result.Error, StringComparison.Ordinal);
    }
}
