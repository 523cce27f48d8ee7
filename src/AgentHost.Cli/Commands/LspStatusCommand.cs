using System.CommandLine;
using System.Text.Json;
using AgentHost.Cli.Rendering;
using AgentHost.Hosting;
using AgentHost.Hosting.Configuration;
using AgentHost.Sdk.Capabilities;

namespace AgentHost.Cli.Commands;

/// <summary>
/// <c>agent lsp status</c>: every language server defined by the loaded plugins (enabled ones and <c>--plugin</c>)
/// and by <c>lsp.servers</c>, its command, whether the binary is found (with the install hint when not) and its
/// state. Offline and fast: nothing is started (servers start when an agent run first touches a matching file).
/// </summary>
internal sealed class LspStatusCommand : AgentCommand
{
    private readonly PluginOptions _plugins = new();
    private readonly Option<bool> _json = new("--json") { Description = "Print JSON." };

    public LspStatusCommand(CliContext context)
        : base("status", "List language servers (from plugins and lsp.servers), their command, whether the binary is found, and their state.", context)
    {
        _plugins.AddTo(this);
        Options.Add(_json);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var configuration = Context.Configuration(parseResult);
        await using var runtime = Context.CreatePluginRuntime(configuration);
        var results = await _plugins.LoadAsync(runtime, parseResult, configuration, Context.Environment.CurrentDirectory, cancellationToken).ConfigureAwait(false);
        foreach (var failure in results.Where(r => r.Error is not null))
        {
            Context.Console.WriteInfo($"warning: plugin {failure.PluginId} not loaded: {failure.Error}");
        }

        var rows = runtime.Registry.OfKind(CapabilityKind.LspServer)
            .Select(e => e.Capability is LspServerCapability s ? new Row(s.Name, e.PluginId, s.Command, s.Args, s.FileExtensions, s.InstallHint) : null)
            .OfType<Row>()
            .Concat(ConfiguredServers(configuration))
            .ToList();
        var searchPath = string.Join(
            Path.PathSeparator,
            configuration.GetPluginSettings("lsp").Where(p => p.Key.StartsWith("path", StringComparison.OrdinalIgnoreCase)).Select(p => p.Value)
                .Append(Context.Environment.Get("PATH") ?? string.Empty));
        var environment = Context.Environment with { Variables = new Dictionary<string, string>(Context.Environment.Variables, StringComparer.Ordinal) { ["PATH"] = searchPath } };
        var report = rows.Select(r => (Row: r, Found: ExecutableLocator.Find(r.Command, environment))).ToList();
        if (parseResult.GetValue(_json))
        {
            Context.Console.WriteLine(JsonSerializer.Serialize(
                report.Select(r => new
                {
                    name = r.Row.Name,
                    source = r.Row.Source,
                    command = r.Row.Command,
                    args = r.Row.Args,
                    extensions = r.Row.Extensions,
                    found = r.Found is not null,
                    path = r.Found,
                    install = r.Found is null ? r.Row.Install ?? $"Install {r.Row.Command} and put it on PATH." : null,
                    state = r.Found is null ? "missing" : "not started",
                }),
                PluginFormatting.Json));
            return ExitCodes.Success;
        }

        if (report.Count == 0)
        {
            Context.Console.WriteLine("No language servers. Load a language plugin (--plugin typescript, yaml, bash or terraform-ls) or define lsp.servers (see docs/lsp.md).");
            return ExitCodes.Success;
        }

        TextTable.Write(Context.Console, ["SERVER", "SOURCE", "COMMAND", "FILES", "STATE"], report.Select(r => new[]
        {
            r.Row.Name,
            r.Row.Source,
            string.Join(' ', r.Row.Args.Prepend(r.Row.Command)),
            string.Join(' ', r.Row.Extensions),
            r.Found is null ? "missing" : "not started (" + r.Found + ")",
        }).ToList());
        foreach (var (row, _) in report.Where(r => r.Found is null))
        {
            Context.Console.WriteLine($"{row.Name}: {row.Install ?? $"'{row.Command}' is not on PATH; install it and put it on PATH."}");
        }

        return ExitCodes.Success;
    }

    /// <summary>Servers under <c>lsp.servers.&lt;name&gt;</c> (the bridge validates the rest when it loads).</summary>
    private static IEnumerable<Row> ConfiguredServers(ConfigurationSnapshot configuration)
    {
        var section = configuration.GetSection("lsp.servers");
        foreach (var group in section.GroupBy(p => p.Key.Split('.')[0], StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var values = group.ToDictionary(p => p.Key[(group.Key.Length + 1)..], p => p.Value, StringComparer.OrdinalIgnoreCase);
            if (values.TryGetValue("command", out var command))
            {
                yield return new Row(
                    group.Key,
                    "config",
                    command,
                    [.. values.Where(p => p.Key.StartsWith("args.", StringComparison.OrdinalIgnoreCase)).OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Value)],
                    [.. values.Where(p => p.Key.StartsWith("extensions", StringComparison.OrdinalIgnoreCase)).Select(p => p.Value)],
                    values.GetValueOrDefault("install"));
            }
        }
    }

    private sealed record Row(string Name, string Source, string Command, IReadOnlyList<string> Args, IReadOnlyList<string> Extensions, string? Install);
}
