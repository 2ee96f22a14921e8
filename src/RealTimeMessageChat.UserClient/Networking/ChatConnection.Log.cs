using Microsoft.Extensions.Logging;

namespace RealTimeMessageChat.UserClient.Networking;

internal sealed partial class ChatConnection
{
    [LoggerMessage(EventId = 4200, Level = LogLevel.Warning, Message = "Ignored a frame from the server: {Reason}")]
    private static partial void LogBadFrame(ILogger logger, string reason);

    [LoggerMessage(EventId = 4201, Level = LogLevel.Warning, Message = "The server closed the connection in the middle of a frame ({Bytes} bytes left)")]
    private static partial void LogTruncatedFrame(ILogger logger, long bytes);

    [LoggerMessage(EventId = 4202, Level = LogLevel.Warning, Message = "Frame of {Bytes} bytes is over max_frame_bytes {Limit}; not sent")]
    private static partial void LogFrameTooLarge(ILogger logger, int bytes, int limit);
}
