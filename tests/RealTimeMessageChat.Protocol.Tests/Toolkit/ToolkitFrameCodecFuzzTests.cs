using System.Buffers;
using System.Buffers.Binary;
using RealTimeMessageChat.Protocol.Toolkit;

namespace RealTimeMessageChat.Protocol.Tests.Toolkit;

/// <summary>
/// Seeded, deterministic mutation fuzzing: whatever bytes arrive, the codec decodes a frame, asks
/// for more bytes, or throws <see cref="FrameFormatException"/>, and nothing else (no
/// IndexOutOfRange, no OutOfMemory, no endless loop).
/// </summary>
public sealed class ToolkitFrameCodecFuzzTests
{
    private const int IterationsPerSeed = 2000;

    private static readonly ToolkitLimits Limits = new() { MaxBodyBytes = 8 * 1024, MaxDecompressedBytes = 16 * 1024 };

    private static readonly int[] Extremes = [0, 1, -1, 2, 7, 8, 255, 1024, 1025, int.MaxValue, int.MinValue, 8 * 1024, (8 * 1024) + 1, 16 * 1024, (16 * 1024) + 1];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void TryReadFrame_MutatedFrames_DecodeNeedMoreOrThrowFrameFormatExceptionOnly(int seed)
    {
        var random = new Random(seed);
        byte[][] seeds = Seeds();
        int decoded = 0, needMore = 0, refused = 0;

        for (int i = 0; i < IterationsPerSeed; i++)
        {
            byte[] input = Mutate(random, seeds);
            try
            {
                if (ReadAll(input) > 0)
                {
                    decoded++;
                }
                else
                {
                    needMore++;
                }
            }
            catch (FrameFormatException)
            {
                refused++;
            }
            catch (Exception ex)
            {
                Assert.Fail($"seed {seed}, iteration {i}, input {Convert.ToHexString(input)}: {ex}");
            }
        }

        // The mutations reach every outcome, so the fuzzing is not stuck on one path.
        Assert.True(decoded > 0 && needMore > 0 && refused > 0, $"decoded {decoded}, need more {needMore}, refused {refused}");
    }

    [Fact]
    public void TryReadFrame_RandomBytes_NeverThrowAnythingElse()
    {
        var random = new Random(42);
        for (int i = 0; i < 2000; i++)
        {
            byte[] input = new byte[random.Next(0, 400)];
            random.NextBytes(input);
            if (random.Next(2) == 0 && input.Length >= ToolkitFrameCodec.HeaderSize)
            {
                // A start code and a plausible length, so the body and LZ4 paths are reached.
                input.AsSpan(0, 4).Fill(ToolkitFrameCodec.StartByte);
                BinaryPrimitives.WriteUInt64LittleEndian(input.AsSpan(4), (ulong)Math.Max(0, input.Length - 16));
                input.AsSpan(input.Length - 4).Fill(0xFC);
            }

            try
            {
                ReadAll(input);
            }
            catch (FrameFormatException)
            {
            }
            catch (Exception ex)
            {
                Assert.Fail($"iteration {i}, input {Convert.ToHexString(input)}: {ex}");
            }
        }
    }

    // Reads frames until the codec needs more bytes; every frame read must consume bytes.
    private static int ReadAll(byte[] input)
    {
        var buffer = new ReadOnlySequence<byte>(input);
        int frames = 0;
        while (true)
        {
            long before = buffer.Length;
            if (!ToolkitFrameCodec.TryReadFrame(ref buffer, Limits, out ToolkitFrame frame))
            {
                Assert.True(buffer.Length <= before);
                return frames;
            }

            Assert.True(buffer.Length < before, "a frame was read without consuming bytes");
            Assert.NotNull(frame.Data);
            Assert.True(Enum.IsDefined(frame.Mode));
            frames++;
        }
    }

    private static byte[][] Seeds() =>
    [
        .. ToolkitVectors.All().Select(v => v.Frame),
        ToolkitFrameCodec.Encode(ToolkitMode.Message, []),
        ToolkitFrameCodec.Encode(ToolkitMode.Binary, new byte[300], compress: true),
        ToolkitFrameCodec.Encode(ToolkitMode.File, Enumerable.Range(0, 3000).Select(i => (byte)(i * 7 % 251)).ToArray(), compress: true),
    ];

    private static byte[] Mutate(Random random, byte[][] seeds)
    {
        var bytes = new List<byte>(seeds[random.Next(seeds.Length)]);
        int mutations = 1 + random.Next(3);
        for (int m = 0; m < mutations; m++)
        {
            switch (random.Next(8))
            {
                case 0: // overwrite a few bytes
                    for (int k = random.Next(1, 5); k > 0 && bytes.Count > 0; k--)
                    {
                        bytes[random.Next(bytes.Count)] = (byte)random.Next(256);
                    }

                    break;
                case 1: // an extreme value in a size field (frame length, chunk header or field length)
                    WriteInt32(bytes, PickSizeOffset(random, bytes.Count), Extremes[random.Next(Extremes.Length)]);
                    break;
                case 2: // truncate
                    bytes = bytes.Take(random.Next(bytes.Count + 1)).ToList();
                    break;
                case 3: // insert random bytes
                    bytes.InsertRange(random.Next(bytes.Count + 1), RandomBytes(random, random.Next(1, 16)));
                    break;
                case 4: // delete a range
                    if (bytes.Count > 0)
                    {
                        int start = random.Next(bytes.Count);
                        bytes.RemoveRange(start, random.Next(Math.Min(16, bytes.Count - start) + 1));
                    }

                    break;
                case 5: // garbage before, or a second frame after
                    bytes.InsertRange(0, RandomBytes(random, random.Next(0, 8)));
                    bytes.AddRange(seeds[random.Next(seeds.Length)]);
                    break;
                case 6: // corrupt the LZ4 block / field bytes only
                    if (bytes.Count > 24)
                    {
                        bytes[random.Next(20, bytes.Count - 4)] = (byte)random.Next(256);
                    }

                    break;
                default: // a stray start code inside
                    bytes.InsertRange(random.Next(bytes.Count + 1), [0xFD, 0xFD, 0xFD, 0xFD]);
                    break;
            }
        }

        // Half the time keep the frame length consistent, so the mutation reaches the body.
        if (random.Next(2) == 0 && bytes.Count >= 16)
        {
            byte[] fixedUp = [.. bytes];
            BinaryPrimitives.WriteUInt64LittleEndian(fixedUp.AsSpan(4), (ulong)(fixedUp.Length - 16));
            return fixedUp;
        }

        return [.. bytes];
    }

    private static int PickSizeOffset(Random random, int count)
    {
        int[] offsets = [4, 8, 12, 16, 20, 21, 29, 12 + 8 + 102, 12 + 8 + 102 + 4];
        int offset = offsets[random.Next(offsets.Length)];
        return Math.Min(offset, Math.Max(0, count - 4));
    }

    private static void WriteInt32(List<byte> bytes, int offset, int value)
    {
        Span<byte> le = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(le, value);
        for (int i = 0; i < 4 && offset + i < bytes.Count; i++)
        {
            bytes[offset + i] = le[i];
        }
    }

    private static byte[] RandomBytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }
}
