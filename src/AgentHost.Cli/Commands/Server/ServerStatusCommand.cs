using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using AgentHost.Cli.Remote;
using AgentHost.Hosting;
using AgentHost.Server;

namespace AgentHost.Cli.Commands.Server;

/// <summary>
/// <c>agent server status --server URL</c>: what a running <c>agent serve</c> says of itself (<c>GET /v1/health</c>) and,
/// when it is a node of a cluster, of the cluster (<c>GET /v1/cluster</c>, admins only): its name, the store, and every
/// node with its status, sessions and workspace roots. Everything the server sends is neutralised before it is printed.
/// </summary>
internal sealed class ServerStatusCommand : AgentCommand
{
    /// <summary>The API's JSON, with absent values written as null (<c>"cluster": null</c> on a single server).</summary>
    private static readonly JsonSerializerOptions Json = new(ServerClient.Json) { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.Never };

    private readonly RemoteRunOptions _remote = new();
    private readonly Option<bool> _json = new("--json") { Description = "Print JSON: {server, health, cluster} (cluster null on a server that is no node of a cluster)." };

    public ServerStatusCommand(CliContext context)
        : base("status", "Show a running 'agent serve': version, uptime, sessions and runs, and — on a cluster node — the cluster, its store and its nodes.", context)
    {
        _remote.Server.Description = "The running 'agent serve' to ask (e.g. http://127.0.0.1:4141). The token comes from $" + RemoteRunOptions.DefaultTokenVariable + " or --server-token-env.";
        _remote.AddTo(this);
        Options.Add(_json);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var server = parseResult.GetValue(_remote.Server) is { } text
            ? RemoteRunOptions.ParseServer(text)
            : throw new AgentHostException(ErrorKind.Usage, "agent server status: give the server to ask with --server URL (the address 'agent serve' printed, e.g. http://127.0.0.1:4141).");
        using var client = new ServerClient(server, RemoteRunOptions.Token(Context.Environment, parseResult.GetValue(_remote.TokenVariable), server));
        var health = await client.GetHealthAsync(cancellationToken).ConfigureAwait(false);
        ClusterView? cluster = null;
        string? hidden = null;
        try
        {
            cluster = await client.GetClusterAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (AgentHostException ex) when (ex.Kind == ErrorKind.NotFound)
        {
            // Not a node of a cluster (or a server older than clusters).
        }
        catch (AgentHostException ex) when (ex.Kind == ErrorKind.Denied)
        {
            hidden = "only an admin's token may read the cluster (GET /v1/cluster)";
        }

        if (parseResult.GetValue(_json))
        {
            Context.Console.WriteDataLine(JsonSerializer.Serialize(new StatusJson(server.ToString(), health, cluster, hidden), Json));
            return ExitCodes.Success;
        }

        var runs = health.RunningRuns == 1 ? "run" : "runs";
        Context.Console.WriteLine($"server    {server} (agent {health.Version}, {health.Status}, up {Uptime(health.UptimeSeconds)})");
        Context.Console.WriteLine($"sessions  {health.OpenSessions} open, {health.RunningRuns} running {runs}, {health.Engines} engines");
        if (cluster is null)
        {
            Context.Console.WriteLine(hidden is null ? "cluster   none (a single server)" : $"cluster   ? ({hidden})");
            return ExitCodes.Success;
        }

        Context.Console.WriteLine($"cluster   {cluster.ClusterId} (asked node {cluster.Node})");
        Context.Console.WriteLine($"store     {cluster.Store}");
        var rows = cluster.Nodes.Select(n => (
            Address: n.Address + (n.Address == cluster.Node ? " *" : string.Empty),
            n.Status,
            Sessions: n.Sessions?.ToString(CultureInfo.InvariantCulture) ?? "-",
            Roots: n.Roots is { } roots ? string.Join(", ", roots) : "-")).ToList();
        var address = Math.Max(4, rows.Max(r => (int?)r.Address.Length) ?? 0);
        var status = Math.Max(6, rows.Max(r => (int?)r.Status.Length) ?? 0);
        Context.Console.WriteLine($"{"NODE".PadRight(address)}  {"STATUS".PadRight(status)}  SESSIONS  ROOTS");
        foreach (var row in rows)
        {
            Context.Console.WriteLine($"{row.Address.PadRight(address)}  {row.Status.PadRight(status)}  {row.Sessions,-8}  {row.Roots}");
        }

        return ExitCodes.Success;
    }

    private static string Uptime(long seconds)
    {
        var span = TimeSpan.FromSeconds(seconds);
        return span.TotalHours >= 1
            ? string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalHours}h {span.Minutes:00}m")
            : string.Create(CultureInfo.InvariantCulture, $"{span.Minutes}m {span.Seconds:00}s");
    }

    /// <summary>The JSON form: the server asked, its health, its cluster (or null), and why the cluster is not shown (a non-admin token).</summary>
    private sealed record StatusJson(string Server, HealthView Health, ClusterView? Cluster, string? ClusterHidden);
}
