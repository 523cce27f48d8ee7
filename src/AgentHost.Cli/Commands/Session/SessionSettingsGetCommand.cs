using System.CommandLine;
using AgentHost.Hosting;
using AgentHost.Hosting.Text;
using AgentHost.Sessions;
namespace AgentHost.Cli.Commands.Session;

/// <summary><c>agent session settings get &lt;id&gt; [key]</c>: effective session settings and which layer gave each.</summary>
internal sealed class SessionSettingsGetCommand : AgentCommand
{
    private readonly Argument<string> _id = SessionFormatting.IdArgument();
    private readonly Argument<string?> _key = new("key") { Description = "Only this setting, e.g. max_steps.", Arity = ArgumentArity.ZeroOrOne };

    public SessionSettingsGetCommand(CliContext context)
        : base("get", "Show the effective session settings (request > session > project > global) and where each comes from.", context)
    {
        Arguments.Add(_id);
        Arguments.Add(_key);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var (store, id) = await SessionFormatting.ResolveAsync(Context, parseResult.GetRequiredValue(_id), cancellationToken).ConfigureAwait(false);
        var settings = await store.GetSettingsAsync(id, cancellationToken).ConfigureAwait(false);
        var configuration = Context.Configuration(parseResult);
        var resolved = SessionSettings.ResolveAll(null, settings, configuration);
        if (parseResult.GetValue(_key) is { Length: > 0 } key)
        {
            var one = SessionSettings.Resolve(key, null, settings, configuration);
            if (one.Value is null)
            {
                var hint = CloseMatches.Hint(CloseMatches.Find(one.Key, resolved.Select(r => r.Key)));
                throw new AgentHostException(ErrorKind.NotFound, $"setting '{one.Key}' is not set for session {id}.{(hint.Length > 0 ? hint : $" Set it with 'agent session settings set {id} {one.Key} VALUE'.")}");
            }

            resolved = [one];
        }

        if (resolved.Count == 0)
        {
            Context.Console.WriteLine($"No settings for session {id}. Set one with 'agent session settings set {id} KEY VALUE'.");
        }

        foreach (var setting in resolved)
        {
            Context.Console.WriteLine($"{setting.Key} = {setting.Value}    (source: {setting.Origin})");
        }

        return ExitCodes.Success;
    }
}
