using System.Globalization;
using RealTimeMessageChat.Contracts;
using RealTimeMessageChat.Contracts.Storage;
using RealTimeMessageChat.Contracts.Tcp;
using RealTimeMessageChat.Protocol;

namespace RealTimeMessageChat.MainServer.Broadcasting;

/// <summary>Turns a stored message into the wire frame every client receives.</summary>
internal static class BroadcastFrameEncoder
{
    public static byte[] Encode(ChatMessage message, IFrameCodec codec)
    {
        var frame = new BroadcastFrame
        {
            Message = new BroadcastPayload
            {
                Id = message.SenderId,
                SubId = message.SubId,
                Data = message.Content,
                MessageId = message.MessageId,
                Seq = message.Seq,
                Timestamp = message.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            },
        };
        return codec.Encode(TcpFrameJson.Serialize(frame, ContractsJsonContext.Default.BroadcastFrame));
    }
}
