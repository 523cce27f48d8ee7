using System.CommandLine;
using System.Text.Json;
using AgentHost.Agent.Credentials;
using AgentHost.Agent.Runs;
using AgentHost.Cli.Rendering;
using AgentHost.Hosting.Configuration;

namespace AgentHost.Cli.Commands.Auth;

/// <summary>
/// <c>agent auth status</c>: for each configured provider, each conventional one and each with a stored key, where its
/// key would come from (in <see cref="ProviderKeys"/>' order), never the key itself.
/// </summary>
internal sealed class AuthStatusCommand : AgentCommand
{
    private readonly Option<bool> _json = new("--json") { Description = "Print JSON instead of a table." };

    public AuthStatusCommand(CliContext context)
        : base("status", "Show which providers have an API key and where it comes from (never the key).", context)
    {
        Options.Add(_json);
    }

    protected override Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var configuration = Context.Configuration(parseResult);
        var environment = Context.Environment;
        var stored = StoredKeys.List(environment).ToDictionary(s => s.Provider, StringComparer.Ordinal);
        var names = configuration.Providers.Keys.Concat(["openai", "anthropic"]).Concat(stored.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        var rows = names.Select(name =>
        {
            var settings = configuration.Providers.GetValueOrDefault(name);
            return (Name: name, Source: SourceOf(name, settings, stored.GetValueOrDefault(name), environment));
        }).ToList();

        if (parseResult.GetValue(_json))
        {
            Context.Console.WriteDataLine(JsonSerializer.Serialize(rows.Select(r => new { provider = r.Name, hasKey = r.Source is not null, source = r.Source }), PluginFormatting.Json));
            return Task.FromResult(ExitCodes.Success);
        }

        TextTable.Write(Context.Console, ["PROVIDER", "KEY", "SOURCE"], [.. rows.Select(r => new[] { r.Name, r.Source is null ? "none" : "yes", r.Source ?? "-" })]);
        return Task.FromResult(ExitCodes.Success);
    }

    /// <summary>Where the key would come from, in the order <see cref="ProviderKeys.Resolve"/> looks; null when none.</summary>
    private static string? SourceOf(string name, ProviderSettings? settings, StoredKeyLocation? stored, Hosting.HostEnvironment environment)
    {
        if (settings?.ApiKey is { Length: > 0 })
        {
            return "config api_key (plain text in config.yaml; consider 'agent auth login " + name + "')";
        }

        if (settings?.ApiKeyEnv is { } variable)
        {
            return environment.Get(variable) is null ? $"config api_key_env ${variable} (NOT SET)" : $"env ${variable} (api_key_env)";
        }

        if (settings?.ApiKeyFile is { } file)
        {
            return $"config api_key_file {file}{(File.Exists(file) ? string.Empty : " (MISSING)")}";
        }

        if (settings?.ApiKeyCommand is not null)
        {
            return "config api_key_command (not run by status)";
        }

        var type = settings?.Type ?? name;
        if (settings?.BaseUrl is null && ProviderKeys.ConventionalVariable(type) is { } conventional && environment.Get(conventional) is not null)
        {
            return $"env ${conventional}";
        }

        return stored is null ? null : "stored in " + stored.Location;
    }
}
