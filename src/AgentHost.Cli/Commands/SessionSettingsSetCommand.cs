using System.CommandLine;
using AgentHost.Hosting;
using AgentHost.Permissions;
using AgentHost.Sessions;
namespace AgentHost.Cli.Commands;

/// <summary><c>agent session settings set &lt;id&gt; &lt;key&gt; &lt;value&gt;</c>.</summary>
internal sealed class SessionSettingsSetCommand : AgentCommand
{
    private readonly Argument<string> _id = SessionFormatting.IdArgument();
    private readonly Argument<string> _key = new("key") { Description = "The setting, e.g. max_steps (a session. prefix is optional)." };
    private readonly Argument<string> _value = new("value") { Description = "The value." };

    public SessionSettingsSetCommand(CliContext context)
        : base("set", "Set a session setting; it overrides project and global configuration for this session.", context)
    {
        Arguments.Add(_id);
        Arguments.Add(_key);
        Arguments.Add(_value);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var (store, id) = await SessionFormatting.ResolveAsync(Context, parseResult.GetRequiredValue(_id), cancellationToken).ConfigureAwait(false);
        var key = SessionSettings.NormalizeKey(parseResult.GetRequiredValue(_key));
        var value = parseResult.GetRequiredValue(_value);
        if (key == SessionSettings.PermissionMode)
        {
            value = PermissionModes.TryParse(value, out var mode)
                ? mode.ToDisplayName()
                : throw new AgentHostException(ErrorKind.Usage, $"'{value}' is not a permission mode. Use one of: {string.Join(", ", PermissionModes.Names)}.");
        }

        var settings = await store.SetSettingAsync(id, key, value, cancellationToken).ConfigureAwait(false);
        Context.Console.WriteLine($"Set {key} = {settings[key]} for session {id}.");
        return ExitCodes.Success;
    }
}
