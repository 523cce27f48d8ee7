namespace AgentHost.Sessions;

/// <summary>
/// Makes ULID-style ids: 26 characters of Crockford base32, a 48-bit millisecond timestamp followed by 80 random bits,
/// so ids sort by creation time.
/// </summary>
internal static class SessionIds
{
    public const int Length = 26;
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    private static readonly System.Buffers.SearchValues<char> AlphabetValues = System.Buffers.SearchValues.Create(Alphabet);

    public static string New(TimeProvider time)
    {
        // 80 random bits from the operating system's CSPRNG: Guid.NewGuid draws its bytes from it (getrandom on Linux)
        // without loading OpenSSL, which RandomNumberGenerator does on Linux (about 5 MB of resident memory). Of a version 4
        // GUID's bytes as TryWriteBytes lays them out, only 7 and 8 hold fixed version and variant bits; 0-4 and 11-15 are used.
        Span<byte> guid = stackalloc byte[16];
        Guid.NewGuid().TryWriteBytes(guid);
        Span<byte> random = stackalloc byte[10];
        guid[..5].CopyTo(random);
        guid[11..16].CopyTo(random[5..]);
        var milliseconds = (ulong)Math.Max(0, time.GetUtcNow().ToUnixTimeMilliseconds());
        Span<char> id = stackalloc char[Length];
        for (var i = 9; i >= 0; i--)
        {
            id[i] = Alphabet[(int)(milliseconds & 31)];
            milliseconds >>= 5;
        }

        // 80 random bits = 16 characters of 5 bits.
        var high = ((ulong)random[0] << 32) | ((ulong)random[1] << 24) | ((ulong)random[2] << 16) | ((ulong)random[3] << 8) | random[4];
        var low = ((ulong)random[5] << 32) | ((ulong)random[6] << 24) | ((ulong)random[7] << 16) | ((ulong)random[8] << 8) | random[9];
        for (var i = 17; i >= 10; i--)
        {
            id[i] = Alphabet[(int)(high & 31)];
            high >>= 5;
        }

        for (var i = 25; i >= 18; i--)
        {
            id[i] = Alphabet[(int)(low & 31)];
            low >>= 5;
        }

        return new string(id);
    }

    /// <summary>Normalises what a user typed (ids are upper case; Crockford reads I/L as 1 and O as 0).</summary>
    public static string Normalize(string text) =>
        text.Trim().ToUpperInvariant().Replace('I', '1').Replace('L', '1').Replace('O', '0');

    /// <summary>Whether <paramref name="id"/> is a well-formed id (26 characters of the Crockford alphabet), safe as a file name.</summary>
    public static bool IsValid(string id) => id.Length == Length && id.AsSpan().IndexOfAnyExcept(AlphabetValues) < 0;
}
