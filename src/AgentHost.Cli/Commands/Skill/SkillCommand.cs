using System.CommandLine;

namespace AgentHost.Cli.Commands.Skill;

/// <summary><c>agent skill …</c>: list, show, lint and create Agent Skills.</summary>
internal sealed class SkillCommand : Command
{
    public SkillCommand(CliContext context)
        : base("skill", "List the skills the agent can use, show one, lint SKILL.md files, or create a new skill.")
    {
        Subcommands.Add(new SkillListCommand(context));
        Subcommands.Add(new SkillShowCommand(context));
        Subcommands.Add(new SkillLintCommand(context));
        Subcommands.Add(new SkillNewCommand(context));
    }

    /// <summary>The catalog as a run in the current directory sees it (plugins loaded for their skill folders; without <paramref name="plugins"/> options, the enabled and default ones).</summary>
    internal static async Task<Agent.Skills.SkillSnapshot> LoadAsync(CliContext context, ParseResult parseResult, PluginOptions? plugins, CancellationToken cancellationToken)
    {
        var configuration = context.Configuration(parseResult);
        await using var project = await (plugins is null
            ? PluginOptions.OpenAsync(context, parseResult, configuration, new([], configuration.DefaultPlugins), cancellationToken)
            : plugins.OpenAsync(context, parseResult, configuration, cancellationToken)).ConfigureAwait(false);
        var runtime = project.Runtime;
        var roots = Agent.Skills.SkillLocations.WithPluginDirectories(
            Agent.Skills.SkillLocations.All(configuration, context.Environment, context.Environment.CurrentDirectory, runtime.Registry), runtime.Host);
        return new Agent.Skills.SkillCatalog(roots) { Disabled = Agent.Skills.SkillLocations.Disabled(configuration) }.Current;
    }
}
