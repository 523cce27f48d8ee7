using System.CommandLine;
using System.Text.Json;
using AgentHost.Cli.Rendering;
using AgentHost.Hosting;
using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Tools;
using Microsoft.Extensions.AI;

namespace AgentHost.Cli.Commands;

/// <summary>
/// <c>agent lsp status</c>: every language server defined by the loaded plugins (enabled ones and <c>--plugin</c>)
/// and by <c>lsp.servers</c> (applied by the LSP bridge, whose <c>lsp_status</c> report this shows), its command,
/// whether the binary is found (with the install hint when not), its state and the configuration's problems.
/// Nothing is started unless <c>--check</c> asks to (servers start when an agent run first touches a matching file).
/// </summary>
internal sealed class LspStatusCommand : AgentCommand
{
    private readonly PluginOptions _plugins = new();
    private readonly Option<bool> _json = new("--json") { Description = "Print JSON." };
    private readonly Option<bool> _check = new("--check") { Description = "Start each server that is found (initialize handshake, then shutdown) to confirm it works; a failure is shown with the fix." };

    public LspStatusCommand(CliContext context)
        : base("status", "List language servers (from plugins and lsp.servers), their command, whether the binary is found, and their state.", context)
    {
        _plugins.AddTo(this);
        Options.Add(_json);
        Options.Add(_check);
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

        // The bridge reports what it would run: plugin servers with lsp.servers applied, configuration-only servers,
        // configuration problems, and (with --check) whether each server starts.
        var rows = new List<JsonElement>();
        if (runtime.Registry.Find(CapabilityKind.Tool, "lsp_status")?.Capability is ToolCapability status)
        {
            var arguments = new AIFunctionArguments(new Dictionary<string, object?> { ["check"] = parseResult.GetValue(_check), ["json"] = true })
            {
                Context = new Dictionary<object, object?> { [ToolContext.WorkspaceRootKey] = Context.Environment.CurrentDirectory },
            };
            var answer = await status.Function.InvokeAsync(arguments, cancellationToken).ConfigureAwait(false);
            var text = answer is JsonElement { ValueKind: JsonValueKind.String } element ? element.GetString() : answer?.ToString();
            rows.AddRange(JsonDocument.Parse(text ?? "[]").RootElement.EnumerateArray().Select(r => r.Clone()));
        }

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

        return ExitCodes.Success;
    }

    private static string Text(JsonElement row, string name) =>
        row.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : string.Empty;

    private static IEnumerable<string> Strings(JsonElement row, string name) =>
        row.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().Select(v => v.GetString() ?? string.Empty) : [];
}
