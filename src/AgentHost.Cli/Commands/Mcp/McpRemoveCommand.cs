using System.CommandLine;
using AgentHost.Agent.Mcp;
using AgentHost.Hosting;

namespace AgentHost.Cli.Commands.Mcp;

/// <summary>
/// <c>agent mcp remove NAME [--scope user|project]</c>: removes a server from your config.yaml or the project's
/// <c>.mcp.json</c>. A server a plugin (or a project's config) defines is not edited here: the message says how to turn
/// it off.
/// </summary>
internal sealed class McpRemoveCommand : AgentCommand
{
    private readonly Argument<string> _name = new("name") { Description = "The server's name." };
    private readonly Option<string?> _scope = McpScope.Create("Remove it from user (your config.yaml) or project (the project's .mcp.json); needed only when both define it.");
    private readonly PluginOptions _plugins = new();

    public McpRemoveCommand(CliContext context)
        : base("remove", "Remove an MCP server from your config.yaml or the project's .mcp.json.", context)
    {
        Arguments.Add(_name);
        Options.Add(_scope);
        _plugins.AddTo(this);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var name = parseResult.GetValue(_name)!.Trim();
        var configuration = Context.Configuration(parseResult);
        var configFile = Context.Paths.GlobalConfigFile;
        var projectFile = Path.Combine(configuration.ProjectRoot, McpJsonFile.FileName);
        var root = ConfigYamlEditor.Load(configFile);
        var inUser = McpScope.UserServer(root, name) is not null;
        var inProject = File.Exists(projectFile) && McpJsonFileEditor.Contains(projectFile, name);
        var scope = McpScope.Parse(parseResult.GetValue(_scope)) ?? (inUser, inProject) switch
        {
            (true, true) => throw new AgentHostException(ErrorKind.Usage, $"'{name}' is defined in {configFile} and in {projectFile}; say which with --scope user or --scope project."),
            (true, false) => McpScope.User,
            (false, true) => McpScope.Project,
            _ => null,
        };

        if (scope == McpScope.User && inUser)
        {
            var key = $"{McpServerSources.ServersKey}.{name}";
            ConfigYamlEditor.Unset(root, ConfigYamlEditor.Segments(key));
            var errors = ConfigYamlEditor.Write(configFile, root, key, Context.Environment, text => Context.Console.WriteInfo(text));
            if (errors.Count > 0)
            {
                return ConfigYamlEditor.Refuse(Context, errors, configFile);
            }

            Context.Console.WriteLine($"Removed MCP server '{name}' from {configFile}.");
            return ExitCodes.Success;
        }

        if (scope == McpScope.Project && inProject)
        {
            McpJsonFileEditor.Remove(projectFile, name);
            Context.Console.WriteLine($"Removed MCP server '{name}' from {projectFile}.");
            return ExitCodes.Success;
        }

        if (scope is not null && (scope == McpScope.User ? inProject : inUser))
        {
            var (otherScope, otherFile) = scope == McpScope.User ? (McpScope.Project, projectFile) : (McpScope.User, configFile);
            throw new AgentHostException(ErrorKind.NotFound, $"'{name}' is not in {(scope == McpScope.User ? configFile : projectFile)} but in {otherFile}; remove it there with 'agent mcp remove {name} --scope {otherScope}'.");
        }

        var defined = (await McpDefinitions.CollectAsync(Context, _plugins, parseResult, configuration, cancellationToken).ConfigureAwait(false))
            .FirstOrDefault(d => d.Name == name);
        throw defined is not null
            ? new AgentHostException(ErrorKind.Usage, $"'{name}' comes from {defined.Source}, which 'agent mcp remove' does not edit; turn it off with 'agent config set mcp.servers.{name}.enabled false'.")
            : new AgentHostException(ErrorKind.NotFound, $"there is no MCP server '{name}'; 'agent mcp list' shows the servers.");
    }
}
