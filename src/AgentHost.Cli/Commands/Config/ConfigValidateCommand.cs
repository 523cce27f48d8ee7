using System.CommandLine;
using AgentHost.Cli.Interaction;
using AgentHost.Hosting.Configuration;
using AgentHost.Hosting.Plugins.Installed;
namespace AgentHost.Cli.Commands.Config;

/// <summary><c>agent config validate [--file PATH]</c>: checks every layer, or one file.</summary>
/// <remarks>Prints each problem as <c>file:line: message</c>; exits 3 when there are errors, 0 with only warnings.</remarks>
internal sealed class ConfigValidateCommand : AgentCommand
{
    private readonly Option<string?> _file = new("--file")
    {
        Description = "Validate only this config file.",
        HelpName = "PATH",
    };

    public ConfigValidateCommand(CliContext context)
        : base("validate", "Check the configuration (all layers, or one file) and report every problem.", context)
    {
        Options.Add(_file);
    }

    /// <summary>Writes problems to stderr: errors as <c>error: file:line: …</c>, warnings as <c>warning: file:line: …</c>.</summary>
    public static void WriteProblems(IConsoleInteraction console, IEnumerable<ConfigProblem> problems)
    {
        foreach (var problem in problems.OrderByDescending(problem => problem.Severity))
        {
            if (problem.IsError)
            {
                console.WriteError(problem.ToString());
            }
            else
            {
                console.WriteInfo("warning: " + problem);
            }
        }
    }

    protected override Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        IReadOnlyList<ConfigProblem> problems;
        IEnumerable<string> files;
        if (parseResult.GetValue(_file) is { Length: > 0 } file)
        {
            problems = ConfigurationResolver.ValidateFile(file, Context.Environment);
            files = [Path.GetFullPath(file, Context.Environment.CurrentDirectory)];
        }
        else
        {
            var configuration = Context.Configuration(parseResult);
            problems = ConfigurationCheck.Problems(configuration, Context.PluginStore);
            files = new[] { configuration.GlobalConfigFile, configuration.ProjectConfigFile }.OfType<string>().Where(File.Exists);
        }

        WriteProblems(Context.Console, problems);
        var errors = problems.Count(problem => problem.IsError);
        var warnings = problems.Count - errors;
        var checkedFiles = string.Join(", ", files);
        var scope = checkedFiles.Length == 0 ? "no config files found" : "checked " + checkedFiles;
        Context.Console.WriteLine(errors == 0
            ? $"Configuration is valid{Count(warnings, "warning", " with ")} ({scope})."
            : $"Configuration has {Count(errors, "error", string.Empty)}{Count(warnings, "warning", " and ")} ({scope}).");
        return Task.FromResult(errors == 0 ? ExitCodes.Success : ExitCodes.Configuration);
    }

    private static string Count(int count, string noun, string lead) =>
        count == 0 ? string.Empty : $"{lead}{count} {noun}{(count == 1 ? string.Empty : "s")}";
}
