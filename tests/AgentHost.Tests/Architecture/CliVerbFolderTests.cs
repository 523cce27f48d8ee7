using System.Reflection;

namespace AgentHost.Tests.Architecture;

/// <summary>
/// The CLI's commands are grouped by verb (#74): <c>src/AgentHost.Cli/Commands/&lt;Verb&gt;</c> holds a verb's command,
/// its subcommands and the helpers only it uses, and no verb folder uses another; what two verbs share sits in
/// <c>Commands</c> itself. Stricter than <see cref="FolderCycleTests"/>, which forbids only cycles: a one-way use between
/// two verbs would still tie one verb to the inside of another. Read from the compiled CLI (<see cref="NamespaceGraph"/>).
/// </summary>
public sealed class CliVerbFolderTests
{
    private const string Commands = "AgentHost.Cli.Commands";

    [Fact]
    public void VerbFolders_DoNotUseEachOther()
    {
        var graph = ReadCli();

        var uses = (
            from user in graph.Edges.Keys.Order(StringComparer.Ordinal)
            where VerbOf(user) is not null
            from used in graph.Edges[user].Order(StringComparer.Ordinal)
            where VerbOf(used) is { } verb && verb != VerbOf(user)
            select $"  {user} -> {used} ({graph.Why(user, used)})").ToList();

        Assert.True(uses.Count == 0, $"A verb folder of the CLI uses another one (move what they share up to {Commands}):\n" + string.Join("\n", uses));
    }

    [Fact]
    public void Reader_SeesTheVerbFolders()
    {
        // Guards the test above: a reader that saw no verb folders would find no uses between them either.
        var graph = ReadCli();

        Assert.Contains($"{Commands}.Run", graph.Edges["AgentHost.Cli.Startup"]);
        Assert.Contains(Commands, graph.Edges[$"{Commands}.Session"]);
        Assert.Equal("Session", VerbOf($"{Commands}.Session"));
        Assert.Null(VerbOf(Commands));
    }

    private static NamespaceGraph ReadCli() => NamespaceGraph.Read(Assembly.Load("agent").Location, "AgentHost.Cli");

    /// <summary>The verb a namespace belongs to (the folder right below Commands), or null outside the verb folders.</summary>
    private static string? VerbOf(string ns) =>
        ns.StartsWith(Commands + ".", StringComparison.Ordinal) ? ns[(Commands.Length + 1)..].Split('.')[0] : null;
}
