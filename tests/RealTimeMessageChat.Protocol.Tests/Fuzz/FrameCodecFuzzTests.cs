using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using RealTimeMessageChat.Contracts.Tcp;

namespace RealTimeMessageChat.Protocol.Tests.Fuzz;

/// <summary>
/// Seeded, deterministic fuzzing of our length-prefixed framing (issue 9): valid streams, mutations
/// of them and random bytes, fed in random chunkings through a <see cref="PipeReader"/> (the UserClient's
/// read loop, and STYLE.md's) and as contiguous or segmented buffers (the MainServer hands the codec
/// one growing array). Whatever arrives, the codec decodes exactly the frames
/// <see cref="ReferenceDecoder"/> finds, in order, then needs more bytes or throws
/// <see cref="FrameFormatException"/>, and nothing else; each payload then parses or throws
/// <see cref="TcpFrameException"/>. A failure prints its seed, iteration and input.
/// </summary>
public sealed class FrameCodecFuzzTests
{
    private const int IterationsPerSeed = 1500;

    // Small enough that "at the limit" frames are cheap; LengthOverLimit below uses the default.
    private const int Limit = 1024;

    private static readonly LengthPrefixedFrameCodec Codec = new(Limit);

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    public async Task PipeReader_MutatedStreamsInRandomChunks_DecodeEveryValidFrameThenNeedMoreOrRefuse(int seed)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var random = new Random(seed);
        var mutator = new FrameMutator(random, Limit);
        var endings = new Dictionary<StreamEnding, int>();

        for (int i = 0; i < IterationsPerSeed; i++)
        {
            byte[] input = (i % 10) switch
            {
                0 => mutator.ValidStream(),
                1 => mutator.RandomBytes(random.Next(0, 600)),
                _ => mutator.Mutate(mutator.ValidStream()),
            };
            string replay = $"seed {seed}, iteration {i}, input {Convert.ToHexString(input)}";
            (List<byte[]> expected, StreamEnding ending) = ReferenceDecoder.Decode(input, Limit);
            endings[ending] = endings.GetValueOrDefault(ending) + 1;

            (List<byte[]> frames, StreamEnding actual) = await ReadThroughPipeAsync(input, random, replay, cts.Token);

            Assert.True(ending == actual, $"ended {actual}, expected {ending}; {replay}");
            Assert.True(expected.Count == frames.Count, $"{frames.Count} frames decoded, expected {expected.Count}; {replay}");
            for (int f = 0; f < frames.Count; f++)
            {
                Assert.True(expected[f].AsSpan().SequenceEqual(frames[f]), $"frame {f} differs; {replay}");
            }
        }

        Assert.True(endings.Count == 3, string.Join(", ", endings.Select(e => $"{e.Key}: {e.Value}")));
    }

    [Theory]
    [InlineData(21)]
    [InlineData(22)]
    public void TryReadFrame_MutatedStreamsContiguousOrSegmented_DecodeEveryValidFrameAndAllocateNothingLarge(int seed)
    {
        var random = new Random(seed);
        var mutator = new FrameMutator(random, Limit);

        for (int i = 0; i < IterationsPerSeed * 2; i++)
        {
            byte[] input = i % 7 == 0 ? mutator.RandomBytes(random.Next(0, 300)) : mutator.Mutate(mutator.ValidStream());
            string replay = $"seed {seed}, iteration {i}, input {Convert.ToHexString(input)}";
            (List<byte[]> expected, StreamEnding ending) = ReferenceDecoder.Decode(input, Limit);
            ReadOnlySequence<byte> buffer = Segments.Split(input, random);
            var frames = new List<ReadOnlySequence<byte>>();
            StreamEnding actual;

            long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                while (Codec.TryReadFrame(ref buffer, out ReadOnlySequence<byte> payload))
                {
                    frames.Add(payload);
                }

                actual = buffer.IsEmpty ? StreamEnding.Clean : StreamEnding.Truncated;
            }
            catch (FrameFormatException)
            {
                actual = StreamEnding.Refused;
            }
            catch (Exception ex)
            {
                Assert.Fail($"{ex.GetType().Name}: {ex.Message}; {replay}");
                throw;
            }

            long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;

            // Decoding slices the input; only a refusal's exception allocates, a few KB at most.
            Assert.True(allocated < 16 * 1024, $"{allocated} bytes allocated; {replay}");
            Assert.True(ending == actual, $"ended {actual}, expected {ending}; {replay}");
            Assert.Equal(expected.Count, frames.Count);
            for (int f = 0; f < frames.Count; f++)
            {
                Assert.True(expected[f].AsSpan().SequenceEqual(frames[f].ToArray()), $"frame {f} differs; {replay}");
            }
        }
    }

    [Theory]
    [InlineData(FrameCodec.DefaultMaxPayloadSize + 1u)]
    [InlineData(0x7FFF_FFFFu)]
    [InlineData(0x8000_0000u)] // 2^31
    [InlineData(0xFFFF_FFFFu)]
    [InlineData(0u)]
    public async Task PipeReader_HeaderOfZeroOrOverTheLimitAlone_IsRefusedAtOnceWithoutWaitingOrAllocating(uint declared)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var codec = new LengthPrefixedFrameCodec();
        var pipe = new Pipe();
        byte[] header = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(header, declared);

        // Only the header is written and the writer stays open: the refusal must come from the
        // header alone, neither waiting for the body nor sizing anything from the declared length.
        await pipe.Writer.WriteAsync(header, cts.Token);
        ReadResult result = await pipe.Reader.ReadAsync(cts.Token);
        ReadOnlySequence<byte> buffer = result.Buffer;
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        Exception? refused = Record.Exception(() => codec.TryReadFrame(ref buffer, out _));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        pipe.Reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);

        Assert.IsType<FrameFormatException>(refused);
        Assert.True(allocated < 16 * 1024, $"{allocated} bytes allocated for a declared length of {declared}");
        Assert.False(result.IsCompleted);
    }

    // The read loop of STYLE.md §4 over a pipe fed in random chunks by a concurrent writer; every
    // payload also goes through TcpFrameJson.Parse, as the MainServer's and UserClient's loops do.
    private static async Task<(List<byte[]> Frames, StreamEnding Ending)> ReadThroughPipeAsync(byte[] input, Random random, string replay, CancellationToken cancellationToken)
    {
        var pipe = new Pipe(new PipeOptions(minimumSegmentSize: 64, useSynchronizationContext: false));
        int[] chunks = Chunking(input.Length, random);
        Task writer = WriteInChunksAsync(pipe.Writer, input, chunks, cancellationToken);
        var frames = new List<byte[]>();
        try
        {
            while (true)
            {
                ReadResult result = await pipe.Reader.ReadAsync(cancellationToken);
                ReadOnlySequence<byte> buffer = result.Buffer;
                try
                {
                    while (Codec.TryReadFrame(ref buffer, out ReadOnlySequence<byte> payload))
                    {
                        frames.Add(payload.ToArray());
                        ParseOrTcpFrameException(payload, replay);
                    }

                    if (result.IsCompleted)
                    {
                        return (frames, buffer.IsEmpty ? StreamEnding.Clean : StreamEnding.Truncated);
                    }
                }
                finally
                {
                    pipe.Reader.AdvanceTo(buffer.Start, buffer.End);
                }
            }
        }
        catch (FrameFormatException)
        {
            return (frames, StreamEnding.Refused);
        }
        catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
        {
            Assert.Fail($"{ex.GetType().Name}: {ex.Message}; {replay}");
            throw;
        }
        finally
        {
            // Completing the reader releases a writer blocked on a full pipe.
            await pipe.Reader.CompleteAsync();
            await writer;
        }
    }

    private static void ParseOrTcpFrameException(ReadOnlySequence<byte> payload, string replay)
    {
        try
        {
            using var document = TcpFrameJson.Parse(payload, out string command);
            Assert.NotNull(command);
        }
        catch (TcpFrameException)
        {
        }
        catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
        {
            Assert.Fail($"TcpFrameJson.Parse threw {ex.GetType().Name}: {ex.Message}; {replay}");
        }
    }

    private static async Task WriteInChunksAsync(PipeWriter writer, byte[] input, int[] chunks, CancellationToken cancellationToken)
    {
        int offset = 0;
        foreach (int chunk in chunks)
        {
            FlushResult flushed = await writer.WriteAsync(input.AsMemory(offset, chunk), cancellationToken);
            offset += chunk;
            if (flushed.IsCompleted)
            {
                break;
            }
        }

        await writer.CompleteAsync();
    }

    // One byte at a time, random small pieces, or all at once.
    private static int[] Chunking(int length, Random random)
    {
        int style = random.Next(4);
        var chunks = new List<int>();
        for (int offset = 0; offset < length;)
        {
            int chunk = style switch
            {
                0 => 1,
                1 => random.Next(1, 8),
                2 => random.Next(1, 700),
                _ => length,
            };
            chunk = Math.Min(chunk, length - offset);
            chunks.Add(chunk);
            offset += chunk;
        }

        return [.. chunks];
    }
}
