using System.CommandLine;
using AgentHost.Hosting;
namespace AgentHost.Cli.Commands.Init;

/// <summary>
/// <c>agent init [--force] [--print]</c>: writes a starter <c>AGENTS.md</c> at the project root from what the
/// repository shows (languages, layout, build/test/lint commands, CI commands, conventions). Offline and
/// deterministic: no model is called.
/// </summary>
internal sealed class InitCommand : AgentCommand
{
    private const string FileName = "AGENTS.md";

    private readonly Option<bool> _force = new("--force") { Description = "Overwrite an existing AGENTS.md." };

    private readonly Option<bool> _print = new("--print") { Description = "Print the generated AGENTS.md to stdout instead of writing it." };

    public InitCommand(CliContext context)
        : base("init", "Write a starter AGENTS.md (project memory for agents) from the repository: languages, layout, build and test commands, conventions.", context)
    {
        Options.Add(_force);
        Options.Add(_print);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var root = Context.Configuration(parseResult).ProjectRoot;
        var target = Path.Combine(root, FileName);
        var print = parseResult.GetValue(_print);
        if (!print && File.Exists(target) && !parseResult.GetValue(_force))
        {
            throw new AgentHostException(
                ErrorKind.Usage,
                $"{target} already exists; agent init does not overwrite it. Pass --force to replace it, or --print to see the generated file without writing.");
        }

        var (files, fromGit) = await InitRepositoryFiles.ListAsync(root, cancellationToken).ConfigureAwait(false);
        var facts = InitInspector.Inspect(root, files, fromGit);
        var content = InitWriter.Write(facts);
        if (print)
        {
            Context.Console.Write(content);
            return ExitCodes.Success;
        }

        await File.WriteAllTextAsync(target, content, cancellationToken).ConfigureAwait(false);
        Context.Console.WriteLine($"wrote {target}");
        var projectConfig = Context.Configuration(parseResult).Project.ConfigFileOrDefault;
        var schema = ConfigSchemaFiles.Write(Context.PluginStore, projectConfig);
        Context.Console.WriteLine($"wrote {schema} ({projectConfig} points at it for editor completion)");
        Context.Console.WriteInfo(
            $"  {facts.Languages.Count} language(s), {facts.Commands.Count} command(s), {facts.Workflows.Count} CI workflow(s), {facts.Conventions.Count} convention(s) found. Review and edit it: agents read it on every run.");
        return ExitCodes.Success;
    }
}
