using System.CommandLine;
using AgentHost.Installation;
namespace AgentHost.Cli.Commands.Plugin;

/// <summary><c>agent plugin update [id]</c>: installs higher versions of plugins that came from the catalog or a feed.</summary>
internal sealed class PluginUpdateCommand : AgentCommand
{
    private readonly Argument<string?> _id = new("id")
    {
        Description = "The plugin to update; all installed plugins when omitted.",
        Arity = ArgumentArity.ZeroOrOne,
    };

    private readonly Option<bool> _yes = new("--yes", "-y") { Description = "Update without asking for confirmation." };

    private readonly Option<bool> _prerelease = new("--prerelease") { Description = "Allow prerelease versions." };

    public PluginUpdateCommand(CliContext context)
        : base("update", "Update one or all plugins installed from the catalog or a feed.", context)
    {
        Arguments.Add(_id);
        Options.Add(_yes);
        Options.Add(_prerelease);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        using var http = PluginInstallCommand.CreateHttpClient();
        var installer = PluginInstallCommand.CreateInstaller(Context, parseResult, http);
        var confirm = PluginInstallCommand.Confirmation(Context.Console, parseResult.GetValue(_yes));
        var results = await installer.UpdateAsync(parseResult.GetValue(_id), parseResult.GetValue(_prerelease), confirm, cancellationToken).ConfigureAwait(false);
        if (results.Count == 0)
        {
            Context.Console.WriteLine("No plugins installed.");
            return ExitCodes.Success;
        }

        foreach (var result in results)
        {
            var name = $"{result.Id} {result.InstalledVersion}";
            switch (result.Outcome)
            {
                case UpdateOutcome.Updated:
                    Context.Console.WriteLine($"Updated {result.Id} {result.InstalledVersion} -> {result.NewVersion}.");
                    break;
                case UpdateOutcome.UpToDate:
                    Context.Console.WriteLine($"{name} is up to date.");
                    break;
                case UpdateOutcome.Skipped:
                    Context.Console.WriteLine($"Skipped {name}: {result.Message}.");
                    break;
                case UpdateOutcome.Declined:
                    Context.Console.WriteLine($"Kept {name} (update to {result.NewVersion} declined).");
                    break;
                default:
                    Context.Console.WriteError($"{name}: {result.Message}");
                    break;
            }
        }

        return results.Any(r => r.Outcome == UpdateOutcome.Failed) ? ExitCodes.Plugin : ExitCodes.Success;
    }
}
