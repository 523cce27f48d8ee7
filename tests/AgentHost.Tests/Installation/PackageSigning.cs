using System.IO.Compression;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using NuGet.Common;
using NuGet.Packaging.Signing;
using HashAlgorithmName = NuGet.Common.HashAlgorithmName;

namespace AgentHost.Tests.Installation;

/// <summary>Signs test packages offline with NuGet's signing API and a self-signed code-signing certificate.</summary>
internal static class PackageSigning
{
    /// <summary>Creates a self-signed code-signing certificate with its private key.</summary>
    public static X509Certificate2 CreateCertificate(string subject = "CN=AgentHost Test Publisher")
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest(subject, rsa, System.Security.Cryptography.HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.3")], false));
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(1));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), null, X509KeyStorageFlags.Exportable);
    }

    /// <summary>Author-signs <paramref name="nupkg"/> in place (no timestamp).</summary>
    public static async Task SignAsync(string nupkg, X509Certificate2 certificate)
    {
        var signed = nupkg + ".signed";

        // The request disposes the certificate it is given: give it a copy.
        var copy = X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), null);
        using (var options = SigningOptions.CreateFromFilePaths(nupkg, signed, overwrite: true, new X509SignatureProvider(timestampProvider: null), NullLogger.Instance))
        using (var request = new AuthorSignPackageRequest(copy, HashAlgorithmName.SHA256))
        {
            await SigningUtility.SignAsync(options, request, CancellationToken.None);
        }

        File.Move(signed, nupkg, overwrite: true);
    }

    /// <summary>Changes one file of a signed package without re-signing it (what a tampered mirror would serve).</summary>
    public static void Tamper(string nupkg, string entryName, string newContent)
    {
        using var zip = ZipFile.Open(nupkg, ZipArchiveMode.Update);
        var entry = zip.GetEntry(entryName) ?? throw new InvalidOperationException($"{nupkg} has no {entryName}");
        using var stream = entry.Open();
        stream.SetLength(0);
        using var writer = new StreamWriter(stream);
        writer.Write(newContent);
    }
}
