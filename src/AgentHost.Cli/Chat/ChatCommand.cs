using System.CommandLine;
using AgentHost.Cli.Commands;

namespace AgentHost.Cli.Chat;

/// <summary><c>agent chat</c> (and <c>agent</c> with no command): an interactive session at a terminal.</summary>
internal sealed class ChatCommand : AgentCommand
{
    private readonly SessionChoiceOptions _options = new();
    private readonly TurnLimitOptions _limits = new();

    public ChatCommand(CliContext context)
        : base("chat", "Open an interactive session at a terminal (what 'agent' alone does).", context)
    {
        _options.AddTo(this);
        _limits.AddTo(this);
    }

    /// <summary>Makes <c>agent</c> with no command open the chat: the root command gets the chat's options and action.</summary>
    /// <param name="root">The root command.</param>
    /// <param name="context">The CLI context.</param>
    public static void AttachTo(RootCommand root, CliContext context)
    {
        var options = new SessionChoiceOptions();
        var limits = new TurnLimitOptions();
        options.AddTo(root);
        limits.AddTo(root);
        root.SetAction((parseResult, cancellationToken) => new ChatHost(context, options, limits).RunAsync(parseResult, cancellationToken));
    }

    protected override Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken) =>
        new ChatHost(Context, _options, _limits).RunAsync(parseResult, cancellationToken);
}
