using AgentHost.Cli.Startup;
using AgentHost.Cli;
using AgentHost.Cli.Interaction;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Cli;

/// <summary>Which commands the root command holds for a given command line.</summary>
public sealed class CommandLineFactoryTests
{
    private static readonly string[] AllCommands =
        ["run", "chat", "plugin", "config", "auth", "tool", "doctor", "session", "logs", "stats", "permissions", "trust", "models", "init", "skill", "lsp", "mcp", "hooks", "sandbox", "workflow", "serve", "acp", "server"];

    [Theory]
    [InlineData("run", "Summarise this project")]
    [InlineData("session", "list", "--all")]
    [InlineData("plugin", "install", "git")]
    public async Task ALineThatStartsWithACommand_BuildsOnlyThatCommand_AndParsesWithoutErrors(params string[] args)
    {
        await using var context = NewContext();

        var root = CommandLineFactory.Create(context, args);
        var parse = root.Parse(args);

        Assert.Equal([args[0]], root.Subcommands.Select(c => c.Name));
        Assert.Empty(parse.Errors);
    }

    [Theory]
    [InlineData]
    [InlineData("--help")]
    [InlineData("--verbose", "run", "task")]
    [InlineData("rnu", "task")]
    public async Task AnyOtherLine_BuildsEveryCommand(params string[] args)
    {
        await using var context = NewContext();

        var root = CommandLineFactory.Create(context, args);

        Assert.Equal(AllCommands, root.Subcommands.Select(c => c.Name));
    }

    [Fact]
    public async Task AMistypedCommand_StillGetsAnError_ThatSuggestsTheRightOne()
    {
        await using var context = NewContext();

        var parse = CommandLineFactory.Create(context, ["rnu", "task"]).Parse(["rnu", "task"]);

        Assert.Contains(parse.Errors, e => e.Message.Contains("rnu", StringComparison.Ordinal));
    }

    private static CliContext NewContext() =>
        new(new ConsoleInteraction(false, TextWriter.Null, TextWriter.Null, TextReader.Null), TestEnvironment.Create(Path.GetTempPath(), Path.GetTempPath()), new GlobalOptions());
}
