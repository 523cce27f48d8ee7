using System.CommandLine;
using System.Text.Json;
using AgentHost.Agent.Lsp;
using AgentHost.Cli.Remote;
using AgentHost.Cli.Rendering;
using AgentHost.Hosting;

namespace AgentHost.Cli.Commands.Lsp;

/// <summary>
/// <c>agent lsp status</c>: every language server defined by the loaded plugins (enabled ones and <c>--plugin</c>)
/// and by <c>lsp.servers</c> (applied by the LSP bridge, whose <c>lsp_status</c> report this shows), its command,
/// whether the binary is found (with the install hint when not), its state and the configuration's problems.
/// Nothing is started unless <c>--check</c> asks to (servers start when an agent run first touches a matching file).
/// </summary>
internal sealed class LspStatusCommand : AgentCommand
{
    private readonly PluginOptions _plugins = new();
    private readonly RemoteRunOptions _remote = new();
    private readonly Option<bool> _json = new("--json") { Description = "Print JSON." };
    private readonly Option<bool> _check = new("--check") { Description = "Start each server that is found (initialize handshake, then shutdown) to confirm it works; a failure is shown with the fix." };

    public LspStatusCommand(CliContext context)
        : base("status", "List language servers (from plugins and lsp.servers), their command, whether the binary is found, and their state (with --server, those of a running agent serve).", context)
    {
        _plugins.AddTo(this);
        Options.Add(_json);
        Options.Add(_check);
        _remote.Server.Description = "Show the language servers of this running 'agent serve', per engine (e.g. http://127.0.0.1:4141; the token from $" + RemoteRunOptions.DefaultTokenVariable + " or --server-token-env).";
        _remote.AddTo(this);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        if (parseResult.GetValue(_remote.Server) is { } server)
        {
            return await RemoteAsync(parseResult, RemoteRunOptions.ParseServer(server), cancellationToken).ConfigureAwait(false);
        }

        var configuration = Context.Configuration(parseResult);
        await using var project = await _plugins.OpenAsync(Context, parseResult, configuration, cancellationToken).ConfigureAwait(false);
        var runtime = project.Runtime;
        var results = project.Loads;
        foreach (var failure in results.Where(r => r.Error is not null))
        {
            Context.Console.WriteInfo($"warning: plugin {failure.PluginId} not loaded: {failure.Error}");
        }

        // The bridge reports what it would run: plugin servers with lsp.servers applied, configuration-only servers,
        // configuration problems, and (with --check) whether each server starts.
        var rows = new List<JsonElement>(await LspBridge.StatusAsync(runtime, Context.Environment.CurrentDirectory, parseResult.GetValue(_check), cancellationToken).ConfigureAwait(false) ?? []);

        // The bridge ignores an untrusted project's lsp.servers entries (a cloned repository cannot define a command to run).
        var reported = rows.Select(r => Text(r, "name")).ToHashSet(StringComparer.Ordinal);
        foreach (var name in configuration.GetSection("lsp.servers").Select(p => p.Key.Split('.')[0]).Distinct(StringComparer.Ordinal).Where(n => !reported.Contains(n)).Order(StringComparer.Ordinal))
        {
            rows.Add(JsonSerializer.SerializeToElement(new
            {
                name,
                source = "config",
                command = configuration.GetSection("lsp.servers").GetValueOrDefault(name + ".command"),
                args = Array.Empty<string>(),
                extensions = Array.Empty<string>(),
                found = false,
                state = "ignored",
                problems = new[] { $"lsp.servers.{name} is in the project's configuration, which is ignored until you trust the project ('agent trust')." },
            }));
        }

        if (parseResult.GetValue(_json))
        {
            Context.Console.WriteDataLine(JsonSerializer.Serialize(rows, PluginFormatting.Json));
            return ExitCodes.Success;
        }

        if (rows.Count == 0)
        {
            Context.Console.WriteLine("No language servers. Load a language plugin (--plugin typescript, yaml, bash or terraform-ls) or define lsp.servers (see docs/lsp.md).");
            return ExitCodes.Success;
        }

        WriteRows(rows);
        return ExitCodes.Success;
    }

    /// <summary><c>--server URL</c>: the servers of each engine of a running <c>agent serve</c> (<c>GET /v1/lsp</c>); what it sends is neutralised when printed.</summary>
    private async Task<int> RemoteAsync(ParseResult parseResult, Uri server, CancellationToken cancellationToken)
    {
        if (parseResult.GetValue(_check))
        {
            throw new AgentHostException(ErrorKind.Usage, "agent lsp status: --check starts servers in this process; with --server, start one with 'agent lsp start NAME --server URL'.");
        }

        using var client = new ServerClient(server, RemoteRunOptions.Token(Context.Environment, parseResult.GetValue(_remote.TokenVariable), server));
        var engines = await client.GetLanguageServersAsync(cancellationToken).ConfigureAwait(false);
        if (parseResult.GetValue(_json))
        {
            Context.Console.WriteDataLine(JsonSerializer.Serialize(engines, ServerClient.Json));
            return ExitCodes.Success;
        }

        foreach (var engine in engines)
        {
            Context.Console.WriteLine($"{engine.Root} ({(engine.Plugins.Count == 0 ? "default plugins" : string.Join(", ", engine.Plugins))}):");
            if (engine.Servers.Count == 0)
            {
                Context.Console.WriteLine("  no language servers");
                continue;
            }

            WriteRows([.. engine.Servers.Select(s => JsonSerializer.SerializeToElement(s, ServerClient.Json))]);
        }

        return ExitCodes.Success;
    }

    private void WriteRows(List<JsonElement> rows)
    {
        TextTable.Write(Context.Console, ["SERVER", "SOURCE", "COMMAND", "FILES", "STATE"], rows.Select(r => new[]
        {
            Text(r, "name"),
            Text(r, "source"),
            string.Join(' ', Strings(r, "args").Prepend(Text(r, "command"))).Trim(),
            string.Join(' ', Strings(r, "extensions")),
            Text(r, "state") switch
            {
                "not started" or "running" => Text(r, "state") + " (" + Text(r, "path") + ")",
                var state => state,
            },
        }).ToList());
        foreach (var row in rows)
        {
            var name = Text(row, "name");
            switch (Text(row, "state"))
            {
                case "missing":
                    Context.Console.WriteLine($"{name}: {Text(row, "install")}");
                    break;
                case "stopped":
                    Context.Console.WriteLine($"{name}: {Text(row, "detail")}");
                    break;
                case "failed":
                    Context.Console.WriteLine($"{name}: {Text(row, "detail")}");
                    Context.Console.WriteLine($"{name}: fix: {Text(row, "fix")}");
                    break;
            }

            foreach (var problem in Strings(row, "problems"))
            {
                Context.Console.WriteLine($"{name}: {problem}");
            }
        }
    }

    private static string Text(JsonElement row, string name) =>
        row.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : string.Empty;

    private static IEnumerable<string> Strings(JsonElement row, string name) =>
        row.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().Select(v => v.GetString() ?? string.Empty) : [];
}
