using AgentHost.Agent.Credentials;
using AgentHost.Cli.Commands;
using AgentHost.Hosting;

namespace AgentHost.Cli.Chat;

/// <content>
/// <c>/login [PROVIDER]</c> and <c>/logout PROVIDER</c>: <c>agent auth login</c> and <c>logout</c> without leaving the
/// chat. The key is asked for in the editor, masked (<see cref="ChatHost.AskSecretAsync"/>), and stored as the command
/// stores it (<see cref="ProviderKeyLogin.Save"/>); the session's model is selected again, so the next turn uses it.
/// </content>
internal sealed partial class ChatCommands
{
    private void AddLoginCommands()
    {
        var console = _host.Output;
        Add(new SlashCommand("login", "/login [provider]", "Store a provider's API key (asked for masked; the current model's provider when none is named), as 'agent auth login' does.", async (args, ct) =>
        {
            var state = _host.State;
            var provider = ProviderKeyLogin.CheckedName(args.Length > 0 ? args : ProviderOf(state.ModelName)
                ?? throw new AgentHostException(ErrorKind.Usage, "/login PROVIDER: name the provider (as in config.yaml's providers, or openai, anthropic, …); no model is chosen yet to take it from."));
            var key = (await _host.AskSecretAsync($"API key for {provider} (masked; Enter stores, Ctrl+C cancels): ", ct).ConfigureAwait(false))?.Trim();
            if (string.IsNullOrEmpty(key))
            {
                console.WriteInfo("no key entered; nothing was stored.");
                return SlashOutcome.Done;
            }

            ProviderKeyLogin.Save(provider, key, state.Configuration, _host.Context.Environment, console);
            if (state.ModelName is { } model && string.Equals(ProviderOf(model), provider, StringComparison.Ordinal))
            {
                // The model's client was made with the old key (or none): made again, the next turn sends the new one.
                await state.Session.SetModelAsync(model, ct).ConfigureAwait(false);
                console.WriteInfo($"{model} uses it from the next turn on.");
            }

            return SlashOutcome.Done;
        }));
        Add(new SlashCommand("logout", "/logout provider", "Delete a provider's stored API key, as 'agent auth logout' does.", (args, _) =>
        {
            if (args.Length == 0)
            {
                throw new AgentHostException(ErrorKind.Usage, "/logout PROVIDER: name the provider whose stored key to delete ('agent auth status' lists them).");
            }

            var provider = ProviderKeyLogin.CheckedName(args);
            var removed = StoredKeys.Remove(provider, _host.Context.Environment);
            console.WriteInfo(removed is null ? $"No key is stored for {provider}; nothing to do." : $"Deleted the stored API key for {provider} from {removed.Location}.");
            return Task.FromResult(SlashOutcome.Done);
        }));
    }

    private static string? ProviderOf(string? model) => model?.IndexOf('/', StringComparison.Ordinal) is > 0 and var slash ? model[..slash] : null;
}
