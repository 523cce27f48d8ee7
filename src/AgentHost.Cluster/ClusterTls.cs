using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AgentHost.Hosting;
using Npgsql;
using Orleans.Connections.Security;

namespace AgentHost.Cluster;

/// <summary>
/// How a node authenticates the other nodes on the silo port (<c>server.cluster.tls.mode</c>, docs/cluster.md
/// "Between nodes").
/// </summary>
public enum ClusterTlsMode
{
    /// <summary>
    /// Mutual TLS with the cluster's certificate: the configured one (<see cref="ClusterNodeOptions.TlsCertificate"/>),
    /// else the one the cluster's first node made and kept in the store. The default.
    /// </summary>
    Auto = 0,

    /// <summary>No TLS: anyone who reaches the silo port can act as a node. Only when set explicitly, and the node says so.</summary>
    Off = 1,
}

/// <summary>
/// A certificate file given to a node (<c>server.cluster.tls.certificate</c>): PKCS#12 (<c>.pfx</c>, <c>.p12</c>) or PEM
/// holding the certificate and its private key. Its <see cref="object.ToString"/> shows the path, never the password.
/// </summary>
/// <param name="path">The file's full path.</param>
/// <param name="password">The file's (or the PEM key's) password; <see langword="null"/> when it has none.</param>
public sealed class ClusterCertificateFile(string path, string? password)
{
    /// <summary>The file's full path.</summary>
    public string Path { get; } = path;

    /// <summary>The file's (or the PEM key's) password, if any. A secret.</summary>
    public string? Password { get; } = password;

    /// <inheritdoc/>
    public override string ToString() => Path;
}

/// <summary>
/// Mutual TLS on the silo port: a node presents the cluster's certificate (<see cref="ClusterCredential"/>, or the
/// configured file) on every connection it makes and accepts, and accepts a peer only when the peer proves it holds the
/// same key — the certificate is pinned by its public key, not checked against a chain (it is self-signed). A peer
/// without a certificate, with another one, or speaking plain TCP gets no byte of Orleans' protocol: the handshake fails
/// and the connection is closed.
/// </summary>
internal static class ClusterTls
{
    /// <summary>How long a peer may take to complete the handshake before its connection is closed.</summary>
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The certificate the node uses, and where it comes from (for the start line).</summary>
    /// <param name="Certificate">The certificate with its private key.</param>
    /// <param name="Source">Where it comes from, e.g. <c>made by this node, kept in the store</c>.</param>
    public sealed record Credential(X509Certificate2 Certificate, string Source);

    /// <summary>The node's certificate: the configured file's, else the store's (made there when the cluster has none).</summary>
    /// <exception cref="AgentHostException">The configured file cannot be used: names <c>server.cluster.tls.certificate</c> and the fix.</exception>
    public static async Task<Credential> ResolveAsync(ClusterNodeOptions options, NpgsqlDataSource database, TimeProvider time, CancellationToken cancellationToken)
    {
        if (options.TlsCertificate is { } file)
        {
            return new Credential(Load(file), $"from {file.Path}");
        }

        var (certificate, made) = await ClusterCredential.LoadOrCreateAsync(database, options.ClusterId, time, cancellationToken).ConfigureAwait(false);
        return new Credential(certificate, made ? $"made by this node, kept in the store ({ClusterCredential.Table})" : $"from the store ({ClusterCredential.Table})");
    }

    /// <summary>Makes every silo-to-silo connection of <paramref name="silo"/> mutual TLS pinned to <paramref name="certificate"/>.</summary>
    public static void Use(ISiloBuilder silo, X509Certificate2 certificate)
    {
        var pin = certificate.PublicKey.ExportSubjectPublicKeyInfo();
        silo.UseTls(tls =>
        {
            tls.LocalCertificate = certificate;
            // Both ends present the certificate, and both require the peer's.
            tls.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
            tls.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
            // Self-signed, so the chain's errors are expected: the peer is accepted by its key alone (the handshake
            // proves it holds the private key). No revocation list to check.
            tls.RemoteCertificateValidation = (peer, _, _) => peer.PublicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(pin);
            tls.CheckCertificateRevocation = false;
            tls.HandshakeTimeout = HandshakeTimeout;
        });
    }

    /// <summary>The SHA-256 thumbprint of <paramref name="certificate"/>, as nodes show it to be compared.</summary>
    public static string Thumbprint(X509Certificate2 certificate) => certificate.GetCertHashString(HashAlgorithmName.SHA256);

    /// <summary>Loads a configured certificate file, checked: it holds a private key and serves both ends of TLS.</summary>
    private static X509Certificate2 Load(ClusterCertificateFile file)
    {
        const string Setting = "server.cluster.tls.certificate";
        if (!File.Exists(file.Path))
        {
            throw new AgentHostException(ErrorKind.Configuration, $"{Setting}: {file.Path} does not exist; give the PKCS#12 (.pfx) or PEM file of the cluster's certificate with its private key, the same on every node.");
        }

        X509Certificate2 certificate;
        try
        {
            certificate = IsPem(file.Path)
                ? Exportable(file.Password is null ? X509Certificate2.CreateFromPemFile(file.Path) : X509Certificate2.CreateFromEncryptedPemFile(file.Path, file.Password))
                : X509CertificateLoader.LoadPkcs12FromFile(file.Path, file.Password);
        }
        catch (CryptographicException ex)
        {
            throw new AgentHostException(ErrorKind.Configuration, $"{Setting}: {file.Path} is not a readable certificate with its private key ({ex.Message}); give a PKCS#12 file or a PEM file holding the certificate and its key, and its password in the variable named by server.cluster.tls.password_env.", ex);
        }

        if (!certificate.HasPrivateKey)
        {
            certificate.Dispose();
            throw new AgentHostException(ErrorKind.Configuration, $"{Setting}: {file.Path} holds no private key; a node presents the certificate and must hold its key — give the file with both.");
        }

        if (!ClusterCredential.ServesBothEnds(certificate))
        {
            certificate.Dispose();
            throw new AgentHostException(ErrorKind.Configuration, $"{Setting}: {file.Path} restricts its extended key usage without both server and client authentication; every node is both ends of TLS — give a certificate with both usages (or none).");
        }

        return certificate;
    }

    private static bool IsPem(string path)
    {
        using var reader = new StreamReader(path);
        var start = new char[64];
        var read = reader.ReadBlock(start, 0, start.Length);
        return new string(start, 0, read).TrimStart().StartsWith("-----BEGIN", StringComparison.Ordinal);
    }

    /// <summary>A PEM certificate's key re-imported through PKCS#12: a key only in memory is not usable by TLS everywhere.</summary>
    internal static X509Certificate2 Exportable(X509Certificate2 pem)
    {
        using (pem)
        {
            return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), password: null);
        }
    }
}
