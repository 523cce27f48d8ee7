using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using AgentHost.Cluster;
using AgentHost.Hosting;
using AgentHost.Sessions.Postgres;
using AgentHost.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Orleans.Runtime;

namespace AgentHost.Cluster.Tests;

/// <summary>
/// The silo port of nodes as <c>agent serve --cluster</c> starts them (<see cref="ServedNode"/>: <see cref="ClusterNode.CreateAsync"/> hosted by its server, real TCP on
/// 127.0.0.1, the real store on PostgreSQL): mutual TLS with the cluster's certificate, made by the first node and kept in
/// the store, with no configuration (docs/cluster.md "Between nodes"); strangers — plain TCP, or TLS with another
/// certificate — get no byte of Orleans' protocol. With <c>server.cluster.tls.mode: off</c> the same stranger gets the
/// node's greeting, which is what the default is tested against.
/// </summary>
public sealed class ClusterTlsTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromMinutes(2);

    [PostgresFact]
    public async Task TwoNodes_WithNoTlsSettings_JoinAndCallEachOther_OverTheCertificateTheFirstMadeAndStored()
    {
        var database = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync("tlsjoin");

        await using var a = await ServedNode.StartAsync(Options(database, "tls-join"), NullLoggerFactory.Instance, CancellationToken.None);
        var stored = await StoredCertificatesAsync(database, "tls-join");
        await using var b = await ServedNode.StartAsync(Options(database, "tls-join"), NullLoggerFactory.Instance, CancellationToken.None);

        // One row, made by the first node; the second read it: both present the same certificate.
        var row = Assert.Single(stored);
        Assert.Equal(stored, await StoredCertificatesAsync(database, "tls-join"));
        Assert.Equal(row, a.Certificate!.GetCertHashString(HashAlgorithmName.SHA256));
        Assert.Equal(row, b.Certificate!.GetCertHashString(HashAlgorithmName.SHA256));
        Assert.Contains("made by this node, kept in the store", a.Security, StringComparison.Ordinal);
        Assert.Contains("from the store", b.Security, StringComparison.Ordinal);
        Assert.Contains(row, b.Security, StringComparison.Ordinal);

        // Both are active members, and each answers calls routed from the other over the silo port.
        var grains = b.Services.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0);
        var hosts = await grains.GetHosts(onlyActive: true);
        Assert.Equal(2, hosts.Count);
        var statistics = await grains.GetRuntimeStatistics([.. hosts.Keys]);
        Assert.Equal(2, statistics.Length);
    }

    [PostgresFact]
    public async Task SiloPort_GivesAPlaintextStranger_NothingAndCloses_WhileWithTlsOffItGreetsItWithItsIdentity()
    {
        var database = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync("tlsplain");
        var log = new ListLoggerProvider();
        using var loggers = LoggerFactory.Create(builder => builder.AddProvider(log));

        await using var guarded = await ServedNode.StartAsync(Options(database, "tls-plain"), NullLoggerFactory.Instance, CancellationToken.None);
        await using var open = await ServedNode.StartAsync(Options(database, "tls-plain-off") with { TlsMode = ClusterTlsMode.Off }, loggers, CancellationToken.None);

        Assert.Empty(await PlaintextAnswerAsync(guarded.Endpoint));
        // The greeting names the cluster (and the silo): what a stranger needs to pass for a node.
        Assert.Contains("tls-plain-off", Encoding.UTF8.GetString(await PlaintextAnswerAsync(open.Endpoint)), StringComparison.Ordinal);
        Assert.Null(open.Certificate);
        Assert.Contains("NOT authenticated or encrypted (server.cluster.tls.mode: off)", open.Security, StringComparison.Ordinal);
        Assert.Contains(log.Messages, m => m.StartsWith($"server.cluster.tls.mode is off: this node's silo port (127.0.0.1:{open.Endpoint.Port}) is neither authenticated nor encrypted", StringComparison.Ordinal));
    }

    [PostgresFact]
    public async Task SiloPort_RefusesATlsStrangerWithAnotherCertificate_AndSpeaksToTheClustersOwn()
    {
        var database = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync("tlsstranger");
        await using var node = await ServedNode.StartAsync(Options(database, "tls-stranger"), NullLoggerFactory.Instance, CancellationToken.None);
        using var stranger = SelfSigned("CN=AgentHost cluster tls-stranger");

        var (refused, _) = await TlsAnswerAsync(node.Endpoint, stranger);
        var (accepted, presented) = await TlsAnswerAsync(node.Endpoint, node.Certificate!);

        Assert.Empty(refused);
        Assert.NotEmpty(accepted);
        Assert.Equal(node.Certificate!.GetCertHashString(HashAlgorithmName.SHA256), presented);
    }

    [PostgresFact]
    public async Task NodesStartingTogether_StoreOneCertificate_AndAllUseIt()
    {
        var database = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync("tlsrace");
        await using var source = NpgsqlDataSource.Create(PostgresConnectionString.Parse(database).ToNpgsqlConnectionString("cluster tests"));
        await ClusterSchema.EnsureAsync(source, CancellationToken.None);

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => ClusterCredential.LoadOrCreateAsync(source, "race", TimeProvider.System, CancellationToken.None))));

        Assert.Single(results, r => r.Made);
        Assert.Single(results.Select(r => r.Certificate.GetCertHashString(HashAlgorithmName.SHA256)).Distinct());
        Assert.All(results, r => Assert.True(r.Certificate.HasPrivateKey));
        Assert.Single(await StoredCertificatesAsync(database, "race"));
    }

    [PostgresFact]
    public async Task ACertificateFile_IsTheClustersCertificate_AndNoneIsStored()
    {
        var database = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync("tlsfile");
        using var temp = new TempDirectory();
        using var certificate = SelfSigned("CN=our cluster");
        var pfx = temp.Combine("cluster.pfx");
        await File.WriteAllBytesAsync(pfx, certificate.Export(X509ContentType.Pkcs12, "s3cret"));

        await using var node = await ServedNode.StartAsync(Options(database, "tls-file") with { TlsCertificate = new ClusterCertificateFile(pfx, "s3cret") }, NullLoggerFactory.Instance, CancellationToken.None);
        var (accepted, presented) = await TlsAnswerAsync(node.Endpoint, certificate);

        Assert.Equal(certificate.GetCertHashString(HashAlgorithmName.SHA256), presented);
        Assert.NotEmpty(accepted);
        Assert.Contains($"from {pfx}", node.Security, StringComparison.Ordinal);
        Assert.Empty(await StoredCertificatesAsync(database, "tls-file"));
    }

    [PostgresFact]
    public async Task ACertificateFile_ThatCannotServe_StopsTheNode_NamingTheSettingAndTheFix()
    {
        var database = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync("tlsbadfile");
        using var temp = new TempDirectory();
        using var certificate = SelfSigned("CN=our cluster");
        var keyless = temp.WriteFile("cert-only.pem", certificate.ExportCertificatePem());
        var pfx = temp.Combine("cluster.pfx");
        await File.WriteAllBytesAsync(pfx, certificate.Export(X509ContentType.Pkcs12, "right"));

        var cases = new (ClusterNodeOptions Options, string Message)[]
        {
            (Options(database, "bad") with { TlsCertificate = new(temp.Combine("missing.pfx"), null) }, $"server.cluster.tls.certificate: {temp.Combine("missing.pfx")} does not exist"),
            (Options(database, "bad") with { TlsCertificate = new(keyless, null) }, $"server.cluster.tls.certificate: {keyless} is not a readable certificate with its private key"),
            (Options(database, "bad") with { TlsCertificate = new(pfx, "wrong") }, $"server.cluster.tls.certificate: {pfx} is not a readable certificate with its private key"),
            (Options(database, "bad") with { TlsCertificate = new(pfx, "right"), TlsMode = ClusterTlsMode.Off }, "server.cluster.tls.certificate is set but server.cluster.tls.mode is off"),
        };

        foreach (var (options, message) in cases)
        {
            var error = await Assert.ThrowsAsync<AgentHostException>(() => ServedNode.StartAsync(options, NullLoggerFactory.Instance, CancellationToken.None));
            Assert.Equal(ErrorKind.Configuration, error.Kind);
            Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
        }

        Assert.Empty(await StoredCertificatesAsync(database, "bad"));
    }

    private static ClusterNodeOptions Options(string database, string clusterId) =>
        new(PostgresConnectionString.Parse(database), clusterId, IPAddress.Loopback, 0);

    /// <summary>The SHA-256 thumbprints of the certificates stored for <paramref name="clusterId"/>.</summary>
    private static async Task<List<string>> StoredCertificatesAsync(string database, string clusterId)
    {
        await using var connection = new NpgsqlConnection(PostgresConnectionString.Parse(database).ToNpgsqlConnectionString("cluster tests"));
        await connection.OpenAsync();
        await using var exists = new NpgsqlCommand("SELECT to_regclass('agenthost_cluster_credentials') IS NOT NULL", connection);
        if (await exists.ExecuteScalarAsync() is not true)
        {
            return [];
        }

        await using var select = new NpgsqlCommand("SELECT certificate FROM agenthost_cluster_credentials WHERE cluster_id = @id", connection);
        select.Parameters.AddWithValue("id", clusterId);
        var thumbprints = new List<string>();
        await using var rows = await select.ExecuteReaderAsync();
        while (await rows.ReadAsync())
        {
            using var certificate = X509Certificate2.CreateFromPem(rows.GetString(0));
            thumbprints.Add(certificate.GetCertHashString(HashAlgorithmName.SHA256));
        }

        return thumbprints;
    }

    /// <summary>
    /// What the silo port first sends a stranger that connects with plain TCP and waits: without TLS, a silo greets every
    /// connection with its identity; with TLS, the port waits for a TLS handshake and closes the connection when none comes.
    /// </summary>
    private static async Task<byte[]> PlaintextAnswerAsync(IPEndPoint endpoint)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(endpoint);
        return await FirstAnswerAsync(client.GetStream());
    }

    /// <summary>
    /// What the silo port sends a stranger that connects with TLS presenting <paramref name="client"/> (and accepting any
    /// server certificate), and the certificate the port presented (SHA-256). Empty when the handshake fails or the port
    /// closes the connection (under TLS 1.3 a server refuses a client's certificate after the client's handshake ended).
    /// </summary>
    private static async Task<(byte[] Answer, string? Presented)> TlsAnswerAsync(IPEndPoint endpoint, X509Certificate2 client)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(endpoint);
        string? presented = null;
        await using var tls = new SslStream(tcp.GetStream());
        using var timeout = new CancellationTokenSource(Generous);
        try
        {
            await tls.AuthenticateAsClientAsync(
                new SslClientAuthenticationOptions
                {
                    TargetHost = "agenthost-node",
                    ClientCertificates = [client],
                    RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                    {
                        // A stranger takes whatever the port presents: the test looks at what it was, not whether it chains.
                        presented = certificate?.GetCertHashString(HashAlgorithmName.SHA256);
                        return presented is not null;
                    },
                },
                timeout.Token);
        }
        catch (AuthenticationException)
        {
            return ([], presented);
        }
        catch (IOException)
        {
            return ([], presented);
        }

        return (await FirstAnswerAsync(tls), presented);
    }

    /// <summary>The first bytes the peer sends; none when it closes (or resets, or fails TLS) first.</summary>
    private static async Task<byte[]> FirstAnswerAsync(Stream stream)
    {
        using var timeout = new CancellationTokenSource(Generous);
        var buffer = new byte[4096];
        try
        {
            var read = await stream.ReadAsync(buffer, timeout.Token);
            return buffer[..read];
        }
        catch (IOException)
        {
            return [];
        }
        catch (AuthenticationException)
        {
            return [];
        }
    }

    /// <summary>A self-signed ECDSA certificate for both ends of TLS, as another cluster (or an administrator) would make.</summary>
    private static X509Certificate2 SelfSigned(string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], critical: false));
        using var made = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        return X509CertificateLoader.LoadPkcs12(made.Export(X509ContentType.Pkcs12), password: null);
    }
}
