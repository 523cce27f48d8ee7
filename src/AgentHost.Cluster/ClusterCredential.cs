using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Npgsql;

namespace AgentHost.Cluster;

/// <summary>
/// The certificate a cluster's nodes authenticate each other with when no certificate is configured (docs/cluster.md
/// "Between nodes"): made by the first node to start — a self-signed ECDSA P-256 certificate, valid for a century,
/// usable for both ends of a TLS connection — and kept with its private key in the store's database
/// (<c>agenthost_cluster_credentials</c>, one row per cluster), where every other node reads it. Nodes starting together
/// do not race: each inserts its own only where none is (<c>ON CONFLICT DO NOTHING</c>) and then uses the row that is there.
/// The private key is a secret: it is never logged or shown (the start line shows the certificate's SHA-256 thumbprint).
/// </summary>
internal static class ClusterCredential
{
    /// <summary>The table of the clusters' credentials (Sql/AgentHost-ClusterCredentials.sql).</summary>
    public const string Table = "agenthost_cluster_credentials";

    /// <summary>How long a made certificate is valid: nodes pin it, so it need not be renewed.</summary>
    private const int ValidYears = 100;

    /// <summary>The extended key usages of a certificate both ends of a TLS connection present.</summary>
    private static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1"), ClientAuthentication = new("1.3.6.1.5.5.7.3.2");

    /// <summary>The cluster's certificate, made and stored by this node when the cluster has none yet.</summary>
    /// <param name="database">The store's database (the schema of <see cref="ClusterSchema"/> is there).</param>
    /// <param name="clusterId">The cluster's name (<see cref="ClusterNodeOptions.ClusterId"/>).</param>
    /// <param name="time">The clock of the certificate's validity.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The certificate with its private key, and whether this node made it.</returns>
    /// <exception cref="InvalidOperationException">The stored row is not a certificate with its private key.</exception>
    public static async Task<(X509Certificate2 Certificate, bool Made)> LoadOrCreateAsync(NpgsqlDataSource database, string clusterId, TimeProvider time, CancellationToken cancellationToken)
    {
        if (await ReadAsync(database, clusterId, cancellationToken).ConfigureAwait(false) is { } existing)
        {
            return (existing, false);
        }

        var (certificate, key) = Make(clusterId, time.GetUtcNow());
        await using var insert = database.CreateCommand($"INSERT INTO {Table} (cluster_id, certificate, private_key) VALUES (@id, @certificate, @key) ON CONFLICT (cluster_id) DO NOTHING");
        insert.Parameters.AddWithValue("id", clusterId);
        insert.Parameters.AddWithValue("certificate", certificate);
        insert.Parameters.AddWithValue("key", key);
        // Another node may have stored its own since the read: then this one's is dropped, and theirs is the cluster's.
        var made = await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
        var stored = await ReadAsync(database, clusterId, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"the cluster's certificate of cluster '{clusterId}' was stored but is not in {Table}; start the node again.");
        return (stored, made);
    }

    /// <summary>Whether <paramref name="certificate"/> can be both ends of a TLS connection (no extended key usage, or both).</summary>
    public static bool ServesBothEnds(X509Certificate2 certificate)
    {
        var usages = certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault()?.EnhancedKeyUsages;
        return usages is null
            || (usages.Cast<Oid>().Any(o => o.Value == ServerAuthentication.Value) && usages.Cast<Oid>().Any(o => o.Value == ClientAuthentication.Value));
    }

    private static async Task<X509Certificate2?> ReadAsync(NpgsqlDataSource database, string clusterId, CancellationToken cancellationToken)
    {
        await using var select = database.CreateCommand($"SELECT certificate, private_key FROM {Table} WHERE cluster_id = @id");
        select.Parameters.AddWithValue("id", clusterId);
        await using var row = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await row.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        try
        {
            return ClusterTls.Exportable(X509Certificate2.CreateFromPem(row.GetString(0), row.GetString(1)));
        }
        catch (CryptographicException ex)
        {
            throw new InvalidOperationException($"the cluster's certificate of cluster '{clusterId}' in {Table} is not a PEM certificate with its private key ({ex.Message}). Stop every node, delete that row, and start them again: the first makes a new one.", ex);
        }
    }

    /// <summary>A new self-signed certificate for both ends of TLS, as PEM (certificate, PKCS#8 private key).</summary>
    private static (string Certificate, string Key) Make(string clusterId, DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var name = new X500DistinguishedNameBuilder();
        name.AddCommonName($"AgentHost cluster {clusterId}");
        var request = new CertificateRequest(name.Build(), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([ServerAuthentication, ClientAuthentication], critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        // A day back: nodes whose clocks lag the first node's still accept it.
        using var certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(ValidYears));
        return (certificate.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }
}
