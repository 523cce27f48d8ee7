using System.Security.Cryptography;
using AgentHost.Hosting;
using NuGet.Packaging;
using NuGet.Packaging.Signing;

namespace AgentHost.Installation;

/// <summary>Whether a package is signed.</summary>
public enum SignatureStatus
{
    /// <summary>The package has no signature. Allowed; recorded as <c>unsigned</c>.</summary>
    None,

    /// <summary>The package is signed and its content matches the signature; recorded as <c>signed (…)</c>.</summary>
    Valid,
}

/// <summary>What the signature check of a <c>.nupkg</c> found.</summary>
/// <param name="Status">Signed or unsigned.</param>
/// <param name="Type">The primary signature's type: <c>author</c> or <c>repository</c> (signed packages only).</param>
/// <param name="Signer">The signing certificate's subject (signed packages only).</param>
/// <param name="Fingerprint">The signing certificate's SHA-256 fingerprint, hex (signed packages only).</param>
/// <param name="Countersigned">Whether a repository countersignature is present too.</param>
public sealed record PackageSignature(SignatureStatus Status, string? Type = null, string? Signer = null, string? Fingerprint = null, bool Countersigned = false)
{
    /// <summary>The unsigned result.</summary>
    public static PackageSignature None { get; } = new(SignatureStatus.None);

    /// <summary>The text recorded in the lockfile and shown by <c>plugin install</c> and <c>plugin info</c>.</summary>
    public override string ToString() =>
        Status == SignatureStatus.None
            ? "unsigned"
            : $"signed ({Type}{(Countersigned ? " + repository countersignature" : string.Empty)}): {Signer}, SHA-256 {Fingerprint}";
}

/// <summary>
/// Checks NuGet package signatures with NuGet.Packaging: the signature parses, the signer's signature over the signed
/// attributes is valid, and the package content matches the hash the signature covers (integrity). A signed package
/// that fails any of these is refused. Certificate trust (chain to a trusted root, revocation, timestamps, a list of
/// allowed signers) is not checked: the lockfile's content hash stays the primary guarantee.
/// </summary>
internal static class PackageSignatures
{
    /// <summary>Checks one package.</summary>
    /// <param name="nupkg">The package file.</param>
    /// <param name="display">The package as named in messages (URL or path).</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The result for an unsigned or validly signed package.</returns>
    /// <exception cref="AgentHostException">The package is signed but the signature is invalid or the content was changed.</exception>
    public static async Task<PackageSignature> VerifyAsync(string nupkg, string display, CancellationToken cancellationToken)
    {
        try
        {
            using var reader = new PackageArchiveReader(nupkg);
            if (!await reader.IsSignedAsync(cancellationToken).ConfigureAwait(false))
            {
                return PackageSignature.None;
            }

            var primary = await reader.GetPrimarySignatureAsync(cancellationToken).ConfigureAwait(false)
                ?? throw Invalid(display, "the signature file is present but holds no signature");
            primary.SignedCms.CheckSignature(verifySignatureOnly: true);
            await reader.ValidateIntegrityAsync(primary.SignatureContent, cancellationToken).ConfigureAwait(false);
            var certificate = primary.SignerInfo.Certificate ?? throw Invalid(display, "the signature has no signing certificate");
            var countersigned = primary.Type == SignatureType.Author && RepositoryCountersignature.GetRepositoryCountersignature(primary) is not null;
            return new PackageSignature(
                SignatureStatus.Valid,
                primary.Type == SignatureType.Repository ? "repository" : "author",
                certificate.Subject,
                Convert.ToHexString(certificate.GetCertHash(HashAlgorithmName.SHA256)),
                countersigned);
        }
        catch (Exception ex) when (ex is SignatureException or CryptographicException or InvalidDataException)
        {
            throw Invalid(display, ex.Message, ex);
        }
    }

    private static AgentHostException Invalid(string display, string problem, Exception? inner = null) =>
        new(
            ErrorKind.Plugin,
            $"{display} has an invalid package signature ({problem.TrimEnd('.')}); the package was changed after it was signed, or the signature is corrupt. Nothing was installed. Download it again from its publisher, or ask them to re-sign it; do not install it as it is.",
            inner);
}
