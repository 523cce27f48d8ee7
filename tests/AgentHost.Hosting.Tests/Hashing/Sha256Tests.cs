using System.Text;
using AgentHost.Common.Hashing;

namespace AgentHost.Hosting.Tests.Hashing;

/// <summary>
/// The managed SHA-256 (src/Common/Hashing/Sha256.cs) must be SHA-256: the fingerprints it makes (skills baseline,
/// plugin snapshot keys, the files plugin's stamps) keep their strength only if every input hashes exactly as the
/// platform's implementation does.
/// </summary>
public sealed class Sha256Tests
{
    [Theory]
    [InlineData("", "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855")]
    [InlineData("abc", "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD")]
    [InlineData("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248D6A61D20638B8E5C026930C3E6039A33CE45964FF2167F6ECEDD419DB06C1")]
    public void KnownVectors(string input, string expected) =>
        Assert.Equal(expected, Convert.ToHexString(Sha256.HashData(Encoding.ASCII.GetBytes(input))));

    [Fact]
    public void EveryLengthAroundTheBlockBoundaries_AndRandomSizes_MatchThePlatform()
    {
        var random = new Random(25);
        var lengths = Enumerable.Range(0, 300).Concat([1_000, 4_095, 65_535, Sha256.MaxManagedBytes, Sha256.MaxManagedBytes + 1, 200_000]);
        lengths = lengths.Concat(Enumerable.Range(0, 50).Select(_ => random.Next(0, 70_000)));
        var managed = new byte[Sha256.HashSizeInBytes];
        foreach (var length in lengths)
        {
            var data = new byte[length];
            random.NextBytes(data);
            var expected = System.Security.Cryptography.SHA256.HashData(data);
            Sha256.HashManaged(data, managed);
            Assert.True(expected.AsSpan().SequenceEqual(managed), $"managed SHA-256 differs at {length} bytes");
            Assert.True(expected.AsSpan().SequenceEqual(Sha256.HashData(data)), $"HashData differs at {length} bytes");
        }
    }
}
