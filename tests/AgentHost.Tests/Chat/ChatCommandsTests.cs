using AgentHost.Cli.Commands;
using AgentHost.Cli;
using AgentHost.Cli.Chat;
using AgentHost.Cli.Interaction;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Chat;

/// <summary>The chat's command table: every command of the issue is there, and /help lists each one.</summary>
public sealed class ChatCommandsTests : IDisposable
{
    /// <summary>The built-in commands issue #20 asks for, each a working command.</summary>
    private static readonly string[] Expected =
    [
        "help", "exit", "clear", "cost", "new", "model", "mode", "sessions", "resume", "fork", "compact", "context", "diff", "undo",
        "export", "tools", "plugins", "jobs", "skills", "skill", "memory", "init",
    ];

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Help_ListsEveryCommand_WithItsUsage()
    {
        using var output = new StringWriter();
        await using var context = new CliContext(new ConsoleInteraction(false, output, output, TextReader.Null), TestEnvironment.Create(_temp.Path, _temp.Path), new GlobalOptions());
        var commands = ChatCommands.Create(new ChatHost(context, new SessionChoiceOptions(), new TurnLimitOptions()), [UserCommands.Parse("greet", "Say hello to $ARGUMENTS.\n", "greet.md")]);

        await commands.RunAsync("/help", CancellationToken.None);

        Assert.Subset(commands.Names.ToHashSet(), Expected.ToHashSet());
        var help = output.ToString();
        // /q is named on /quit's line ("/quit, /q"), not on a line of its own.
        foreach (var command in commands.All.Where(c => c.Name != "q"))
        {
            Assert.Contains("  " + command.Usage + " ", help, StringComparison.Ordinal);
            Assert.False(string.IsNullOrWhiteSpace(command.Help), command.Name);
        }

        Assert.Contains("  /quit, /q ", help, StringComparison.Ordinal);

        Assert.Contains("/greet [arguments]", help, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnknownCommand_NamesTheCloseOnes()
    {
        using var output = new StringWriter();
        await using var context = new CliContext(new ConsoleInteraction(false, output, output, TextReader.Null), TestEnvironment.Create(_temp.Path, _temp.Path), new GlobalOptions());
        var commands = ChatCommands.Create(new ChatHost(context, new SessionChoiceOptions(), new TurnLimitOptions()), []);

        await commands.RunAsync("/sk", CancellationToken.None);

        // Both start with what was typed (closest first, then by name).
        Assert.Contains("unknown command /sk. Did you mean /skill, /skills?", output.ToString(), StringComparison.Ordinal);
    }
}
