using System.Security.Cryptography;
using System.Text;

namespace AgentHost.Sessions;

/// <summary>
/// The bearer tokens of a server's users (docs/server.md "Tokens"): 32 random bytes from the operating system's CSPRNG,
/// written as <c>agt_</c> and 43 base64url characters, shown once; the store keeps only their SHA-256 hash.
/// </summary>
/// <remarks>
/// Why SHA-256 and not a password KDF (PBKDF2, Argon2): a KDF's cost protects low-entropy secrets people choose, whose
/// hash an attacker could brute-force by guessing likely passwords. These tokens are 256-bit random values: no guess list
/// exists, and one SHA-256 of a candidate is as hard to invert as the token is to guess (2^256). A fast hash also lets the
/// server find the user by an indexed lookup of the hash on every request, with no per-request KDF cost an attacker
/// could turn into a denial of service. A timing difference in that lookup reveals at most how much of the SHA-256 of
/// the attacker's own guess matches a stored hash, which says nothing about any token.
/// </remarks>
public static class UserTokens
{
    /// <summary>The prefix of every user token (so that secret scanners and people recognise one).</summary>
    public const string Prefix = "agt_";

    /// <summary>A new token and its hash.</summary>
    /// <returns>The token (show it once) and the hash to store.</returns>
    public static (string Token, byte[] Hash) New()
    {
        var token = Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return (token, Hash(token));
    }

    /// <summary>The SHA-256 hash of a presented token.</summary>
    /// <param name="token">The token.</param>
    /// <returns>32 bytes.</returns>
    public static byte[] Hash(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        return SHA256.HashData(Encoding.UTF8.GetBytes(token));
    }
}
