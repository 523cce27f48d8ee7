using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;

namespace AgentHost.Tests.Providers.Anthropic;

/// <summary>
/// Frames Messages API stream events as Amazon Bedrock's <c>InvokeModelWithResponseStream</c> sends them: AWS event
/// stream messages (prelude with total and header lengths and a CRC32, string headers <c>:event-type</c>,
/// <c>:content-type</c>, <c>:message-type</c>, a payload, a CRC32 of the whole message) whose JSON payload carries
/// the event's JSON base64-encoded in <c>bytes</c>.
/// </summary>
public static class AwsEventFrames
{
    private static readonly uint[] Table = MakeTable();

    /// <summary>One <c>chunk</c> message for a Messages API event given as its JSON.</summary>
    public static byte[] Chunk(string eventJson)
    {
        var payload = new JsonObject
        {
            ["bytes"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(eventJson)),
            ["p"] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ", // Bedrock pads payloads to hide their length
        }.ToJsonString();
        return Message([(":event-type", "chunk"), (":content-type", "application/json"), (":message-type", "event")], Encoding.UTF8.GetBytes(payload));
    }

    /// <summary>The chunks of SSE-framed events (<see cref="Sse"/>): each event's <c>data:</c> JSON; pings are left out, as Bedrock sends none.</summary>
    public static IEnumerable<byte[]> FromSse(IEnumerable<string> events) =>
        events.Select(e => e.Split('\n').Single(line => line.StartsWith("data: ", StringComparison.Ordinal))["data: ".Length..])
            .Where(json => JsonNode.Parse(json)!["type"]!.GetValue<string>() != "ping")
            .Select(Chunk);

    /// <summary>An event stream message: prelude, prelude CRC, headers (all strings, type 7), payload, message CRC.</summary>
    public static byte[] Message(IReadOnlyList<(string Name, string Value)> headers, byte[] payload)
    {
        using var headerBytes = new MemoryStream();
        var length = new byte[2];
        foreach (var (name, value) in headers)
        {
            var nameBytes = Encoding.UTF8.GetBytes(name);
            var valueBytes = Encoding.UTF8.GetBytes(value);
            headerBytes.WriteByte((byte)nameBytes.Length);
            headerBytes.Write(nameBytes);
            headerBytes.WriteByte(7);
            BinaryPrimitives.WriteUInt16BigEndian(length, (ushort)valueBytes.Length);
            headerBytes.Write(length);
            headerBytes.Write(valueBytes);
        }

        var headerLength = (int)headerBytes.Length;
        var total = 12 + headerLength + payload.Length + 4;
        var message = new byte[total];
        BinaryPrimitives.WriteInt32BigEndian(message.AsSpan(0, 4), total);
        BinaryPrimitives.WriteInt32BigEndian(message.AsSpan(4, 4), headerLength);
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(8, 4), Crc32(message.AsSpan(0, 8)));
        headerBytes.ToArray().CopyTo(message, 12);
        payload.CopyTo(message, 12 + headerLength);
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(total - 4, 4), Crc32(message.AsSpan(0, total - 4)));
        return message;
    }

    /// <summary>CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), as the event stream encoding uses.</summary>
    public static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc = (crc >> 8) ^ Table[(crc ^ b) & 0xFF];
        }

        return ~crc;
    }

    private static uint[] MakeTable()
    {
        var table = new uint[256];
        for (var i = 0u; i < 256; i++)
        {
            var crc = i;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) == 1 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }

            table[i] = crc;
        }

        return table;
    }
}
