using System.Buffers;
using RealTimeMessageChat.Contracts.Tcp;
using RealTimeMessageChat.Protocol;
using RealTimeMessageChat.Protocol.Toolkit;

namespace RealTimeMessageChat.MainServer.Networking;

/// <summary>The receive loop: zero-byte waits, a pooled buffer only while bytes are there.</summary>
internal sealed partial class ClientConnection
{
    private long _lastInboundAt;
    private long _partialSince;
    private bool _framingChosen;

    private async Task ReceiveLoopAsync()
    {
        byte[]? buffer = null;
        int count = 0;
        try
        {
            while (true)
            {
                if (count == 0)
                {
                    if (buffer is not null)
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = null;
                    }

                    // Wait for data before taking a buffer (Kestrel's WaitForDataBeforeAllocatingBuffer):
                    // 10,000 idle clients then hold no receive buffer at all.
                    await _transport.ReceiveAsync(Memory<byte>.Empty);
                    buffer = ArrayPool<byte>.Shared.Rent(_settings.ReceiveBufferSize);
                }
                else if (count == buffer!.Length)
                {
                    // A frame larger than the buffer; bounded, because the codec refuses a length over max_frame_bytes.
                    byte[] larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    Buffer.BlockCopy(buffer, 0, larger, 0, count);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                int received = await _transport.ReceiveAsync(buffer.AsMemory(count));
                if (received == 0)
                {
                    if (count > 0)
                    {
                        throw new FrameFormatException("Connection closed in the middle of a frame.");
                    }

                    SetCloseReason("client closed the connection");
                    return;
                }

                if (!_framingChosen)
                {
                    // The first byte picks the framing for the life of the connection (issue 10).
                    _framingChosen = true;
                    if (buffer[0] == ToolkitFrameCodec.StartByte)
                    {
                        UseToolkitFraming();
                    }
                }

                count += received;
                var pending = new ReadOnlySequence<byte>(buffer, 0, count);
                bool keepReading = true;
                while (keepReading && Codec.TryReadFrame(ref pending, out ReadOnlySequence<byte> payload))
                {
                    Volatile.Write(ref _lastInboundAt, Environment.TickCount64);

                    // The payload is valid only until the buffer is reused: parse it into owned values first.
                    InboundFrame frame = Toolkit is { } toolkit ? InboundFrame.ParseToolkit(toolkit.LastMode, payload) : InboundFrame.Parse(payload);
                    keepReading = await _handler.HandleAsync(this, frame);
                }

                if (!keepReading)
                {
                    return;
                }

                int rest = (int)pending.Length;
                if (rest > 0 && rest < count)
                {
                    Buffer.BlockCopy(buffer, count - rest, buffer, 0, rest);
                }

                count = rest;

                // The frame timeout runs from the first byte of a frame that is still incomplete.
                if (count == 0)
                {
                    Volatile.Write(ref _partialSince, 0);
                }
                else if (Volatile.Read(ref _partialSince) == 0)
                {
                    Volatile.Write(ref _partialSince, Environment.TickCount64);
                }
            }
        }
        catch (FrameFormatException ex)
        {
            _handler.RejectBadFrame(this, ex.Message);
        }
        catch (TcpFrameException ex)
        {
            _handler.RejectBadFrame(this, ex.Message);
        }
        catch (Exception ex)
        {
            OnLoopException(ex, "receive");
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }
}
