using System.CommandLine;
using AgentHost.Installation;
namespace AgentHost.Cli.Commands.Plugin;

/// <summary><c>agent plugin verify [id]</c>: recomputes content hashes and compares them with the lockfile.</summary>
/// <remarks>Prints <c>OK id version</c> or <c>FAIL id version: …</c> per plugin; exits 7 when any fails.</remarks>
internal sealed class PluginVerifyCommand : AgentCommand
{
    private readonly Argument<string?> _id = new("id")
    {
        Description = "The plugin to verify; all installed plugins when omitted.",
        Arity = ArgumentArity.ZeroOrOne,
    };

    public PluginVerifyCommand(CliContext context)
        : base("verify", "Check that installed plugins are unchanged since install.", context)
    {
        Arguments.Add(_id);
    }

    protected override Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var results = new InstalledPlugins(Context.PluginStore).Verify(parseResult.GetValue(_id), cancellationToken);
        if (results.Count == 0)
        {
            Context.Console.WriteLine("No plugins installed.");
            return Task.FromResult(ExitCodes.Success);
        }

        foreach (var result in results)
        {
            var plugin = result.Plugin;
            var reinstall = plugin.Source is "folder" or "nupkg" ? plugin.Origin : plugin.Id;
            var fix = $"Reinstall with 'agent plugin install {reinstall} --force' or remove it.";
            Context.Console.WriteLine(result.Status switch
            {
                VerifyStatus.Ok => $"OK {plugin.Id} {plugin.Version}",
                VerifyStatus.Missing => $"FAIL {plugin.Id} {plugin.Version}: its folder {result.Directory} is missing. {fix}",
                _ => $"FAIL {plugin.Id} {plugin.Version}: content changed since install (expected {InstalledPlugins.ShortHash(plugin.Sha512)}, found {InstalledPlugins.ShortHash(result.ActualHash!)}). {fix}",
            });
        }

        var failed = results.Count(r => r.Status != VerifyStatus.Ok);
        if (failed == 0)
        {
            return Task.FromResult(ExitCodes.Success);
        }

        Context.Console.WriteError($"{failed} of {results.Count} plugin(s) failed verification.");
        return Task.FromResult(ExitCodes.Plugin);
    }
}
