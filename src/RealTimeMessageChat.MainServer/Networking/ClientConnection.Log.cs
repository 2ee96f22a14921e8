using System.Net;

namespace RealTimeMessageChat.MainServer.Networking;

internal sealed partial class ClientConnection
{
    [LoggerMessage(EventId = 2100, Level = LogLevel.Debug, Message = "Connection {ConnectionId} opened from {RemoteEndPoint}")]
    private static partial void LogConnectionOpened(ILogger logger, long connectionId, EndPoint? remoteEndPoint);

    [LoggerMessage(EventId = 2101, Level = LogLevel.Debug, Message = "Connection {ConnectionId} (user {UserId}) closed: {Reason}")]
    private static partial void LogConnectionClosed(ILogger logger, long connectionId, string? userId, string? reason);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Debug, Message = "Connection {ConnectionId} authenticated as {UserId}, session {SessionId}, delivering after seq {StartSeq} (client sent last_seq: {HasLastSeq})")]
    private static partial void LogAuthenticated(ILogger logger, long connectionId, string userId, string sessionId, long startSeq, bool hasLastSeq);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Warning, Message = "Connection {ConnectionId} handshake rejected: {Reason}")]
    private static partial void LogHandshakeRejected(ILogger logger, long connectionId, string reason);

    [LoggerMessage(EventId = 2104, Level = LogLevel.Warning, Message = "Connection {ConnectionId} sent a bad frame: {Reason}")]
    private static partial void LogBadFrame(ILogger logger, long connectionId, string reason);

    [LoggerMessage(EventId = 2105, Level = LogLevel.Debug, Message = "Connection {ConnectionId} protocol error: {Kind}")]
    private static partial void LogProtocolError(ILogger logger, long connectionId, string kind);

    [LoggerMessage(EventId = 2106, Level = LogLevel.Warning, Message = "Connection {ConnectionId} (user {UserId}) cannot keep up: send queue of {Capacity} frames full, disconnecting")]
    private static partial void LogSendQueueFull(ILogger logger, long connectionId, string? userId, int capacity);

    [LoggerMessage(EventId = 2107, Level = LogLevel.Debug, Message = "Connection {ConnectionId} (user {UserId}) disconnected: {Reason}")]
    private static partial void LogClientDisconnected(ILogger logger, long connectionId, string? userId, string reason);

    [LoggerMessage(EventId = 2108, Level = LogLevel.Debug, Message = "Connection {ConnectionId} {Loop} loop stopped")]
    private static partial void LogLoopStopped(ILogger logger, long connectionId, string loop);

    [LoggerMessage(EventId = 2109, Level = LogLevel.Error, Message = "Connection {ConnectionId} {Loop} loop failed")]
    private static partial void LogLoopFailed(ILogger logger, Exception exception, long connectionId, string loop);

    [LoggerMessage(EventId = 2110, Level = LogLevel.Error, Message = "Connection {ConnectionId} failed unexpectedly")]
    private static partial void LogUnexpected(ILogger logger, Exception exception, long connectionId);

    [LoggerMessage(EventId = 2111, Level = LogLevel.Debug, Message = "Connection {ConnectionId} room {Room}: delivered up to seq {LastDelivered}, broadcast has seq {Seq}; catching up from the log")]
    private static partial void LogDeliveryGap(ILogger logger, long connectionId, string room, long lastDelivered, long seq);

    [LoggerMessage(EventId = 2112, Level = LogLevel.Debug, Message = "Connection {ConnectionId} caught up; delivering live")]
    private static partial void LogLive(ILogger logger, long connectionId);

    [LoggerMessage(EventId = 2113, Level = LogLevel.Information, Message = "Connection {ConnectionId} asked for messages after seq {RequestedSeq}; the oldest retained in Redis is seq {OldestSeq}, replaying from there")]
    private static partial void LogReplayBeyondRetention(ILogger logger, long connectionId, long requestedSeq, long oldestSeq);

    [LoggerMessage(EventId = 2114, Level = LogLevel.Warning, Message = "Connection {ConnectionId} catch-up: Redis error, retrying in {BackoffMs} ms")]
    private static partial void LogCatchUpRedisError(ILogger logger, Exception? exception, long connectionId, double backoffMs);

    [LoggerMessage(EventId = 2115, Level = LogLevel.Warning, Message = "Connection {ConnectionId}: reading the message log failed")]
    private static partial void LogRedisReadFailed(ILogger logger, Exception exception, long connectionId);

    [LoggerMessage(EventId = 2116, Level = LogLevel.Warning, Message = "Connection {ConnectionId}: presence update ({What}) failed; the connection continues")]
    private static partial void LogPresenceFailed(ILogger logger, Exception exception, long connectionId, string what);

    [LoggerMessage(EventId = 2117, Level = LogLevel.Information, Message = "Connection {ConnectionId} (user {UserId}) silent for {Seconds} s; closing")]
    private static partial void LogClientSilent(ILogger logger, long connectionId, string? userId, int seconds);
}
