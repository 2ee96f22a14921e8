using System.Net;

namespace RealTimeMessageChat.MainServer.Networking;

internal sealed partial class ClientConnection
{
    [LoggerMessage(EventId = 2100, Level = LogLevel.Debug, Message = "Connection {ConnectionId} opened from {RemoteEndPoint}")]
    private static partial void LogConnectionOpened(ILogger logger, long connectionId, EndPoint? remoteEndPoint);

    [LoggerMessage(EventId = 2101, Level = LogLevel.Debug, Message = "Connection {ConnectionId} (user {UserId}) closed: {Reason}")]
    private static partial void LogConnectionClosed(ILogger logger, long connectionId, string? userId, string? reason);

    [LoggerMessage(EventId = 2107, Level = LogLevel.Debug, Message = "Connection {ConnectionId} (user {UserId}) disconnected: {Reason}")]
    private static partial void LogClientDisconnected(ILogger logger, long connectionId, string? userId, string reason);

    [LoggerMessage(EventId = 2108, Level = LogLevel.Debug, Message = "Connection {ConnectionId} {Loop} loop stopped")]
    private static partial void LogLoopStopped(ILogger logger, long connectionId, string loop);

    [LoggerMessage(EventId = 2109, Level = LogLevel.Error, Message = "Connection {ConnectionId} {Loop} loop failed")]
    private static partial void LogLoopFailed(ILogger logger, Exception exception, long connectionId, string loop);

    [LoggerMessage(EventId = 2110, Level = LogLevel.Error, Message = "Connection {ConnectionId} failed unexpectedly")]
    private static partial void LogUnexpected(ILogger logger, Exception exception, long connectionId);

    [LoggerMessage(EventId = 2117, Level = LogLevel.Information, Message = "Connection {ConnectionId} (user {UserId}) silent for {Seconds} s; closing")]
    private static partial void LogClientSilent(ILogger logger, long connectionId, string? userId, int seconds);

    // Information, without the exception's stack: anyone can fail a handshake (a port scan, a
    // plaintext client on the TLS port), and the log is not theirs to fill (issue 9).
    [LoggerMessage(EventId = 2119, Level = LogLevel.Information, Message = "Connection {ConnectionId} from {RemoteEndPoint}: TLS handshake failed: {Reason}")]
    private static partial void LogTlsHandshakeFailed(ILogger logger, long connectionId, EndPoint? remoteEndPoint, string reason);

    [LoggerMessage(EventId = 2120, Level = LogLevel.Information, Message = "Connection {ConnectionId} from {RemoteEndPoint}: TLS handshake not finished within {Seconds} s (handshake_timeout_sec); closing")]
    private static partial void LogTlsHandshakeTimeout(ILogger logger, long connectionId, EndPoint? remoteEndPoint, int seconds);

    [LoggerMessage(EventId = 2118, Level = LogLevel.Warning, Message = "Connection {ConnectionId} (user {UserId}) cannot keep up: {Detail}; disconnecting")]
    private static partial void LogSlowClient(ILogger logger, long connectionId, string? userId, string detail);
}
