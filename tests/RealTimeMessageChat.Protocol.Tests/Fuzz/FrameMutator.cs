using System.Buffers.Binary;
using System.Text;

namespace RealTimeMessageChat.Protocol.Tests.Fuzz;

/// <summary>Valid frame streams and seeded mutations of them: bit flips, truncation, insertion, deletion, extreme length fields.</summary>
internal sealed class FrameMutator(Random random, int maxPayload)
{
    private static readonly string[] Commands =
        ["connection", "heartbeat:ping", "heartbeat:pong", "request_client_status_update", "send_broadcast_message", "error", "unknown_command"];

    /// <summary>Lengths that have broken decoders: 0, 1, the limit and one past it, 2^31 (negative as int), all ones, the toolkit's marker byte first.</summary>
    public uint[] ExtremeLengths => [0, 1, (uint)maxPayload - 1, (uint)maxPayload, (uint)maxPayload + 1, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 0xFD00_0010, 0x0001_0000, 0x0001_0001];

    /// <summary>One to eight frames of contract-shaped JSON, now and then one exactly at the limit.</summary>
    public byte[] ValidStream()
    {
        var stream = new List<byte>();
        for (int frames = random.Next(1, 9); frames > 0; frames--)
        {
            stream.AddRange(FrameCodec.Encode(Payload()));
        }

        return [.. stream];
    }

    public byte[] Payload()
    {
        string command = Commands[random.Next(Commands.Length)];
        var json = new StringBuilder("{\"command\":\"").Append(command).Append("\",\"id\":\"user").Append(random.Next(1000)).Append("\",\"message\":\"");
        int target = random.Next(6) == 0 ? maxPayload : random.Next(0, Math.Min(300, maxPayload));
        while (json.Length + 2 < target)
        {
            json.Append((char)random.Next('a', 'z' + 1));
        }

        json.Append("\"}");
        byte[] bytes = Encoding.UTF8.GetBytes(json.ToString());
        return bytes.Length <= maxPayload ? bytes : bytes[..maxPayload];
    }

    public byte[] Mutate(byte[] valid)
    {
        var bytes = new List<byte>(valid);
        for (int mutations = random.Next(1, 4); mutations > 0; mutations--)
        {
            switch (random.Next(8))
            {
                case 0: // flip one bit, anywhere
                    if (bytes.Count > 0)
                    {
                        int at = random.Next(bytes.Count);
                        bytes[at] ^= (byte)(1 << random.Next(8));
                    }

                    break;
                case 1: // truncate
                    bytes = bytes.Take(random.Next(bytes.Count + 1)).ToList();
                    break;
                case 2: // insert random bytes
                    bytes.InsertRange(random.Next(bytes.Count + 1), RandomBytes(random.Next(1, 12)));
                    break;
                case 3: // delete a range
                    if (bytes.Count > 0)
                    {
                        int start = random.Next(bytes.Count);
                        bytes.RemoveRange(start, random.Next(Math.Min(12, bytes.Count - start) + 1));
                    }

                    break;
                case 4: // an extreme length in the first header
                    WriteLength(bytes, 0);
                    break;
                case 5: // ... or in a later one
                    List<int> headers = HeaderOffsets(bytes);
                    WriteLength(bytes, headers.Count == 0 ? 0 : headers[random.Next(headers.Count)]);
                    break;
                case 6: // a whole valid frame inserted between frames
                    List<int> offsets = HeaderOffsets(bytes);
                    bytes.InsertRange(offsets.Count == 0 ? 0 : offsets[random.Next(offsets.Count)], FrameCodec.Encode(Payload()));
                    break;
                default: // a header announcing more (or less) than follows
                    if (bytes.Count >= 4)
                    {
                        uint declared = BinaryPrimitives.ReadUInt32BigEndian([.. bytes.Take(4)]);
                        WriteLength(bytes, 0, (uint)Math.Clamp((long)declared + random.Next(-3, 4), 0, uint.MaxValue));
                    }

                    break;
            }
        }

        return [.. bytes];
    }

    public byte[] RandomBytes(int count)
    {
        byte[] bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }

    // Where the headers of the still-valid prefix start, so a mutation can hit a later frame's length.
    private List<int> HeaderOffsets(List<byte> bytes)
    {
        var offsets = new List<int>();
        int offset = 0;
        while (bytes.Count - offset >= 4)
        {
            offsets.Add(offset);
            uint length = BinaryPrimitives.ReadUInt32BigEndian([.. bytes.Skip(offset).Take(4)]);
            if (length == 0 || length > (uint)maxPayload || bytes.Count - offset - 4 < length)
            {
                break;
            }

            offset += 4 + (int)length;
        }

        return offsets;
    }

    private void WriteLength(List<byte> bytes, int offset) => WriteLength(bytes, offset, ExtremeLengths[random.Next(ExtremeLengths.Length)]);

    private static void WriteLength(List<byte> bytes, int offset, uint length)
    {
        while (bytes.Count < offset + 4)
        {
            bytes.Add(0);
        }

        Span<byte> header = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(header, length);
        for (int i = 0; i < 4; i++)
        {
            bytes[offset + i] = header[i];
        }
    }
}
