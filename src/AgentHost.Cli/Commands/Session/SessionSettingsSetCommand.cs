using System.CommandLine;
using AgentHost.Permissions;
using AgentHost.Permissions.Rules;
using AgentHost.Sessions;
namespace AgentHost.Cli.Commands.Session;

/// <summary><c>agent session settings set &lt;id&gt; &lt;key&gt; &lt;value&gt;</c>.</summary>
internal sealed class SessionSettingsSetCommand : AgentCommand
{
    private readonly Argument<string> _id = SessionFormatting.IdArgument();
    private readonly Argument<string> _key = new("key") { Description = "The setting: max_steps, dry_run, permission_mode, model, sandbox, plugins, a model parameter (temperature, top_p, max_output_tokens, stop, seed, reasoning_effort) or the session policy's max_read_bytes, allow_paths, deny_paths, network_allow, deny_tools (a session. prefix is optional)." };
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
        // The one validator the server uses too: an unknown key or a bad value is refused, not stored and ignored.
        var (key, value) = SessionSettingValues.Check(parseResult.GetRequiredValue(_key), parseResult.GetRequiredValue(_value), SessionSettingValues.Settable);
        var (store, id) = await SessionFormatting.ResolveAsync(Context, parseResult.GetRequiredValue(_id), cancellationToken).ConfigureAwait(false);
        // A session policy only narrows: under the session's own earlier policy and the configuration's read cap.
        SessionPolicySettings.CheckChange(key, value, await store.GetSettingsAsync(id, cancellationToken).ConfigureAwait(false), PermissionPolicy.FromConfiguration(Context.Configuration(parseResult)));
        var settings = await store.SetSettingAsync(id, key, value, cancellationToken).ConfigureAwait(false);
        Context.Console.WriteLine($"Set {key} = {settings[key]} for session {id}.");
        return ExitCodes.Success;
    }
}
