namespace AgentHost.Tests.Support.Otlp;

/// <summary>One field of a protobuf message as the wire format carries it.</summary>
/// <param name="Number">The field number.</param>
/// <param name="WireType">0 varint, 1 fixed64, 2 length-delimited, 5 fixed32.</param>
/// <param name="Scalar">The value of a varint or fixed field.</param>
/// <param name="Bytes">The bytes of a length-delimited field (a string, bytes, a message or a packed list).</param>
public sealed record ProtobufField(int Number, int WireType, ulong Scalar, ReadOnlyMemory<byte> Bytes)
{
    public string Text => System.Text.Encoding.UTF8.GetString(Bytes.Span);

    public IReadOnlyList<ProtobufField> Message => ProtobufFields.Read(Bytes);

    public double AsDouble => BitConverter.Int64BitsToDouble((long)Scalar);
}

/// <summary>
/// A reader of the protobuf wire format (varints, fixed 32/64-bit values, length-delimited fields): enough to walk the
/// OTLP export requests a test receiver gets, field by field, without generated code.
/// </summary>
public static class ProtobufFields
{
    public static IReadOnlyList<ProtobufField> Read(ReadOnlyMemory<byte> message)
    {
        var fields = new List<ProtobufField>();
        var span = message.Span;
        var at = 0;
        while (at < span.Length)
        {
            var key = Varint(span, ref at);
            var number = (int)(key >> 3);
            var wireType = (int)(key & 7);
            switch (wireType)
            {
                case 0:
                    fields.Add(new ProtobufField(number, wireType, Varint(span, ref at), default));
                    break;
                case 1:
                    fields.Add(new ProtobufField(number, wireType, BitConverter.ToUInt64(span.Slice(at, 8)), default));
                    at += 8;
                    break;
                case 2:
                    var length = (int)Varint(span, ref at);
                    fields.Add(new ProtobufField(number, wireType, 0, message.Slice(at, length)));
                    at += length;
                    break;
                case 5:
                    fields.Add(new ProtobufField(number, wireType, BitConverter.ToUInt32(span.Slice(at, 4)), default));
                    at += 4;
                    break;
                default:
                    throw new InvalidDataException($"protobuf wire type {wireType} (field {number}) at byte {at} is not supported");
            }
        }

        return fields;
    }

    private static ulong Varint(ReadOnlySpan<byte> span, ref int at)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = span[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }

        throw new InvalidDataException("a varint longer than 10 bytes");
    }
}
