namespace AgentHost.Tests.Vision;

/// <summary>Image bytes for tests: each format's real signature followed by deterministic filler.</summary>
public static class Images
{
    /// <summary>A real 1×1 PNG (a red pixel).</summary>
    public static readonly byte[] TinyPng = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==");

    public static byte[] Png(int length) => WithSignature([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A], length);

    public static byte[] Jpeg(int length) => WithSignature([0xFF, 0xD8, 0xFF, 0xE0], length);

    public static byte[] Gif(int length) => WithSignature("GIF89a"u8.ToArray(), length);

    public static byte[] Webp(int length)
    {
        var bytes = WithSignature("RIFF\0\0\0\0WEBPVP8 "u8.ToArray(), length);
        BitConverter.TryWriteBytes(bytes.AsSpan(4, 4), length - 8);
        return bytes;
    }

    /// <summary>The signature, then bytes 0..255 repeating (binary: includes zeros).</summary>
    private static byte[] WithSignature(byte[] signature, int length)
    {
        var bytes = new byte[Math.Max(length, signature.Length)];
        for (var i = 0; i < bytes.Length; i++)
        {
            bytes[i] = (byte)(i * 7 % 256);
        }

        signature.CopyTo(bytes, 0);
        return bytes;
    }
}
