using System.Buffers;
using System.Text;

namespace RealTimeMessageChat.Protocol.Tests.Toolkit;

/// <summary>
/// The golden frames of shared/legacy-toolkit/vectors.txt (bytes captured from the original C++
/// UserClient and the stand-in server it accepted), with helpers to feed them to the codec.
/// </summary>
internal static class ToolkitVectors
{
    public const string C1Json = "{\"id\":\"UserClient\",\"sub_id\":\"\",\"registered_key\":\"MainServer\",\"condition\":true}";
    public const string S1Json = "{\"id\":\"UserClient\",\"sub_id\":\"0001-0002-0003-0004-0005\",\"key\":\"\",\"iv\":\"\",\"encrypt_mode\":false,\"condition\":true}";
    public const string C2Json = "{\"id\":\"UserClient\",\"sub_id\":\"0001-0002-0003-0004-0005\",\"message\":\"received connection from Server\",\"command\":\"request_client_status_update\"}";
    public const string S2Json = "{\"message\":\"received connection from Server\",\"command\":\"update_user_clinet_status\"}";
    public const string S3Json = "{\"command\":\"send_broadcast_message\",\"message\":{\"id\":\"publisher\",\"sub_id\":\"\",\"data\":\"hello\"}}";
    public const string R1Json = "{\"id\":\"Client7\",\"sub_id\":\"0001-0002-0003-0004-0005\",\"registered_key\":\"MainServer\",\"condition\":true}";
    public const string S1zJson = "{\"id\":\"Client7\",\"sub_id\":\"0001-0002-0003-0004-0005\",\"key\":\"\",\"iv\":\"\",\"encrypt_mode\":false,\"condition\":true}";

    // C4's client_title: "0123456789abcdef" 80 times (1280 characters).
    public static readonly string C4Json =
        "{\"id\":\"" + string.Concat(Enumerable.Repeat("0123456789abcdef", 80)) + "\",\"sub_id\":\"\",\"registered_key\":\"MainServer\",\"condition\":true}";

    // C1: 115 bytes on the wire.
    private const string C1Hex =
        "fdfdfdfd63000000000000005f000000" +
        "5b000000220100010022034e0800f040" +
        "007d657572743a226e6f697469646e6f" +
        "63222c227265767265536e69614d223a" +
        "2279656b5f6465726574736967657222" +
        "2c22223a2264695f627573222c22746e" +
        "65696c4372657355223a226469227bfc" +
        "fcfcfc";

    // S1: 143 bytes on the wire.
    private const string S1Hex =
        "fdfdfdfd7f0000000000000001000000" +
        "00000000036e000000000000007d6575" +
        "72743a226e6f697469646e6f63222c65" +
        "736c61663a2265646f6d5f7470797263" +
        "6e65222c22223a227669222c22223a22" +
        "79656b222c22353030302d343030302d" +
        "333030302d323030302d31303030223a" +
        "2264695f627573222c22746e65696c43" +
        "72657355223a226469227bfcfcfcfc";

    // C2: 175 bytes on the wire.
    private const string C2Hex =
        "fdfdfdfd9f000000000000009d000000" +
        "97000000220100010022028c0800f16d" +
        "007d226574616470755f737574617473" +
        "5f746e65696c635f7473657571657222" +
        "3a22646e616d6d6f63222c2272657672" +
        "6553206d6f7266206e6f697463656e6e" +
        "6f63206465766965636572223a226567" +
        "617373656d222c22353030302d343030" +
        "302d333030302d323030302d31303030" +
        "223a2264695f627573222c226b00c043" +
        "72657355223a226469227bfcfcfcfc";

    // S2: 116 bytes on the wire.
    private const string S2Hex =
        "fdfdfdfd640000000000000001000000" +
        "000000000253000000000000007d2273" +
        "75746174735f74656e696c635f726573" +
        "755f657461647075223a22646e616d6d" +
        "6f63222c22726576726553206d6f7266" +
        "206e6f697463656e6e6f632064657669" +
        "65636572223a226567617373656d227b" +
        "fcfcfcfc";

    // S3: 125 bytes on the wire.
    private const string S3Hex =
        "fdfdfdfd6d0000000000000001000000" +
        "00000000025c000000000000007d7d22" +
        "6f6c6c6568223a2261746164222c2222" +
        "3a2264695f627573222c227265687369" +
        "6c627570223a226469227b3a22656761" +
        "7373656d222c226567617373656d5f74" +
        "73616364616f72625f646e6573223a22" +
        "646e616d6d6f63227bfcfcfcfc";

    // C4: 147 bytes on the wire.
    private const string C4Hex =
        "fdfdfdfd830000000000000000040000" +
        "660000002201000100320344050900ff" +
        "3e7d657572743a226e6f697469646e6f" +
        "63222c227265767265536e69614d223a" +
        "2279656b5f6465726574736967657222" +
        "2c22223a2264695f627573222c226665" +
        "64636261393837363534333231301000" +
        "ffffff8d503231306665550100000d00" +
        "00000fb003ff3c70223a226469227bfc" +
        "fcfcfc";

    // R1: 136 bytes on the wire.
    private const string R1Hex =
        "fdfdfdfd780000000000000074000000" +
        "7000000022010001002203630800f055" +
        "007d657572743a226e6f697469646e6f" +
        "63222c227265767265536e69614d223a" +
        "2279656b5f6465726574736967657222" +
        "2c22353030302d343030302d33303030" +
        "2d323030302d31303030223a2264695f" +
        "627573222c2237746e65696c43223a22" +
        "6469227bfcfcfcfc";

    // S1z: 150 bytes on the wire.
    private const string S1zHex =
        "fdfdfdfd86000000000000007c000000" +
        "7e000000f06d0100000000000000036b" +
        "000000000000007d657572743a226e6f" +
        "697469646e6f63222c65736c61663a22" +
        "65646f6d5f74707972636e65222c2222" +
        "3a227669222c22223a2279656b222c22" +
        "353030302d343030302d333030302d32" +
        "3030302d31303030223a2264695f6275" +
        "73222c2237746e65696c43223a226469" +
        "227bfcfcfcfc";

    public static byte[] C1 => Convert.FromHexString(C1Hex);

    public static byte[] S1 => Convert.FromHexString(S1Hex);

    public static byte[] C2 => Convert.FromHexString(C2Hex);

    public static byte[] S2 => Convert.FromHexString(S2Hex);

    public static byte[] S3 => Convert.FromHexString(S3Hex);

    public static byte[] C4 => Convert.FromHexString(C4Hex);

    public static byte[] R1 => Convert.FromHexString(R1Hex);

    public static byte[] S1z => Convert.FromHexString(S1zHex);

    /// <summary>Every vector as (name, frame bytes, mode, data as text).</summary>
    public static IEnumerable<(string Name, byte[] Frame, Protocol.Toolkit.ToolkitMode Mode, string Json)> All()
    {
        yield return ("C1", C1, Protocol.Toolkit.ToolkitMode.Connection, C1Json);
        yield return ("S1", S1, Protocol.Toolkit.ToolkitMode.Connection, S1Json);
        yield return ("C2", C2, Protocol.Toolkit.ToolkitMode.Message, C2Json);
        yield return ("S2", S2, Protocol.Toolkit.ToolkitMode.Message, S2Json);
        yield return ("S3", S3, Protocol.Toolkit.ToolkitMode.Message, S3Json);
        yield return ("C4", C4, Protocol.Toolkit.ToolkitMode.Connection, C4Json);
        yield return ("R1", R1, Protocol.Toolkit.ToolkitMode.Connection, R1Json);
        yield return ("S1z", S1z, Protocol.Toolkit.ToolkitMode.Connection, S1zJson);
    }

    public static string Text(byte[] data) => Encoding.UTF8.GetString(data);

    /// <summary>The bytes as a sequence of several segments, cut at the given offsets.</summary>
    public static ReadOnlySequence<byte> Segmented(byte[] bytes, params int[] cuts)
    {
        int[] bounds = [0, .. cuts.Where(c => c > 0 && c < bytes.Length).Distinct().Order(), bytes.Length];
        var first = new Segment(bytes.AsMemory(bounds[0], bounds[1] - bounds[0]), 0);
        Segment last = first;
        for (int i = 1; i < bounds.Length - 1; i++)
        {
            last = last.Append(bytes.AsMemory(bounds[i], bounds[i + 1] - bounds[i]));
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
