using System.Buffers;
using System.Text;
using System.Text.Json;
using RealTimeMessageChat.Contracts;
using RealTimeMessageChat.Contracts.Tcp;

namespace RealTimeMessageChat.Protocol.Tests.Fuzz;

/// <summary>
/// Seeded fuzzing of <see cref="TcpFrameJson.Parse"/> (issue 9, defect 2 was a lone surrogate
/// escaping from it as InvalidOperationException): contract frames mutated byte by byte or
/// escape by escape, as one segment or split anywhere (inside a UTF-8 sequence too), parse to the
/// same command or throw <see cref="TcpFrameException"/>, never anything else.
/// </summary>
public sealed class TcpFrameJsonFuzzTests
{
    private const int IterationsPerSeed = 3000;

    private static readonly string[] Frames =
    [
        """{"command":"connection","id":"alice","token":"eyJhbGciOiJIUzI1NiJ9.e30.sig","sub_id":"","last_seq":42}""",
        """{"command":"request_client_status_update","id":"alice","sub_id":"s-1","message":"away"}""",
        """{"command":"heartbeat:ping"}""",
        """{"command":"heartbeat:pong"}""",
        """{"command":"send_broadcast_message","message":{"id":"bob","sub_id":"","data":"hé 😀","message_id":"0b8f6a3e-5a43-4a53-9a57-8f0b5b1b2c3d","seq":7,"timestamp":"2026-11-22T03:00:00Z"}}""",
        """{"command":"error","message":"bad frame"}""",
    ];

    // Escapes and fragments that have broken JSON readers: lone and reversed surrogates, U+0000,
    // overlong and truncated UTF-8 (as raw bytes below), deep nesting, duplicate keys, a BOM.
    private static readonly string[] Fragments =
        ["\\ud800", "\\udc00", "\\udc00\\ud800", "\\u0000", "\\uFFFE", "\\", "\"", "{", "}", "[", "]", ",", ":", "null", "1e999", "-", "\\u12", "\\x", new string('[', 40), new string('{', 5), "\"command\":\"dup\"", "\uFEFF"];

    private static readonly byte[][] RawFragments = [[0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xE2, 0x82], [0xF4, 0x90, 0x80, 0x80], [0xEF, 0xBB, 0xBF], [0x00]];

    [Theory]
    [InlineData(31)]
    [InlineData(32)]
    [InlineData(33)]
    public void Parse_MutatedFrames_SameCommandOrTcpFrameExceptionOnly(int seed)
    {
        var random = new Random(seed);
        int parsed = 0, refused = 0;

        for (int i = 0; i < IterationsPerSeed; i++)
        {
            byte[] payload = i % 13 == 0 ? Random(random) : Mutate(random, Encoding.UTF8.GetBytes(Frames[random.Next(Frames.Length)]));
            string replay = $"seed {seed}, iteration {i}, payload {Convert.ToHexString(payload)}";

            string? whole = ParseOrNull(new ReadOnlySequence<byte>(payload), replay);
            string? split = ParseOrNull(Segments.Split(payload, random), replay);

            Assert.True(whole == split, $"one segment gave {whole ?? "a refusal"}, split gave {split ?? "a refusal"}; {replay}");
            if (whole is null)
            {
                refused++;
            }
            else
            {
                parsed++;
            }
        }

        Assert.True(parsed > IterationsPerSeed / 20 && refused > IterationsPerSeed / 4, $"parsed {parsed}, refused {refused}");
    }

    [Fact]
    public void Parse_EveryContractFrameSplitAtEveryPoint_ParsesToItsCommand()
    {
        foreach (string frame in Frames)
        {
            byte[] bytes = Encoding.UTF8.GetBytes(frame);
            string expected = JsonDocument.Parse(frame).RootElement.GetProperty("command").GetString()!;
            for (int cut = 1; cut < bytes.Length; cut++)
            {
                using var document = TcpFrameJson.Parse(TwoSegments(bytes, cut), out string command);

                Assert.Equal(expected, command);
            }
        }
    }

    // What MainServer's InboundFrame does next with a parsed handshake or status frame: it catches
    // exactly JsonException and InvalidOperationException, so nothing else may come out.
    [Fact]
    public void Deserialize_MutatedHandshakeAndStatusFrames_ThrowOnlyWhatTheServerCatches()
    {
        var random = new Random(41);
        for (int i = 0; i < IterationsPerSeed; i++)
        {
            byte[] payload = Mutate(random, Encoding.UTF8.GetBytes(Frames[random.Next(2)]));
            JsonDocument document;
            try
            {
                document = TcpFrameJson.Parse(new ReadOnlySequence<byte>(payload), out _);
            }
            catch (TcpFrameException)
            {
                continue;
            }

            using (document)
            {
                try
                {
                    _ = document.RootElement.Deserialize(ContractsJsonContext.Default.ConnectRequest);
                    _ = document.RootElement.Deserialize(ContractsJsonContext.Default.StatusUpdateRequest);
                }
                catch (Exception ex) when (ex is JsonException or InvalidOperationException)
                {
                }
                catch (Exception ex)
                {
                    Assert.Fail($"iteration {i}: {ex.GetType().Name}: {ex.Message}; payload {Convert.ToHexString(payload)}");
                }
            }
        }
    }

    private static string? ParseOrNull(ReadOnlySequence<byte> payload, string replay)
    {
        try
        {
            using JsonDocument document = TcpFrameJson.Parse(payload, out string command);
            Assert.Equal(JsonValueKind.Object, document.RootElement.ValueKind);
            return command;
        }
        catch (TcpFrameException)
        {
            return null;
        }
        catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
        {
            Assert.Fail($"{ex.GetType().Name}: {ex.Message}; {replay}");
            throw;
        }
    }

    private static byte[] Mutate(Random random, byte[] frame)
    {
        var bytes = new List<byte>(frame);
        for (int mutations = random.Next(1, 4); mutations > 0; mutations--)
        {
            int at = random.Next(bytes.Count + 1);
            switch (random.Next(7))
            {
                case 0:
                    if (bytes.Count > 0)
                    {
                        int flip = random.Next(bytes.Count);
                        bytes[flip] ^= (byte)(1 << random.Next(8));
                    }

                    break;
                case 1:
                    bytes = bytes.Take(random.Next(bytes.Count + 1)).ToList();
                    break;
                case 2:
                case 3:
                    bytes.InsertRange(at, Encoding.UTF8.GetBytes(Fragments[random.Next(Fragments.Length)]));
                    break;
                case 4:
                    bytes.InsertRange(at, RawFragments[random.Next(RawFragments.Length)]);
                    break;
                case 5:
                    if (bytes.Count > 0)
                    {
                        int start = random.Next(bytes.Count);
                        bytes.RemoveRange(start, random.Next(Math.Min(8, bytes.Count - start) + 1));
                    }

                    break;
                default:
                    // Inside the command's value: where a lone surrogate once escaped as InvalidOperationException.
                    int quote = IndexAfter(bytes, "\"command\":\"");
                    bytes.InsertRange(quote < 0 ? at : quote, Encoding.UTF8.GetBytes(Fragments[random.Next(4)]));
                    break;
            }
        }

        return [.. bytes];
    }

    private static byte[] Random(Random random)
    {
        byte[] bytes = new byte[random.Next(0, 120)];
        random.NextBytes(bytes);
        return bytes;
    }

    private static int IndexAfter(List<byte> bytes, string marker)
    {
        byte[] m = Encoding.UTF8.GetBytes(marker);
        int i = bytes.ToArray().AsSpan().IndexOf(m);
        return i < 0 ? -1 : i + m.Length;
    }

    private static ReadOnlySequence<byte> TwoSegments(byte[] bytes, int cut)
    {
        var random = new Random(cut);
        ReadOnlySequence<byte> sequence;
        do
        {
            sequence = Segments.Split(bytes, random);
        }
        while (sequence.IsSingleSegment && bytes.Length > 1);

        return sequence;
    }
}
