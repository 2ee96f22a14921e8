using Microsoft.Extensions.Logging;

namespace RealTimeMessageChat.UserClient.Session;

internal sealed partial class ChatSession
{
    [LoggerMessage(EventId = 4000, Level = LogLevel.Information, Message = "Connected to {Host}:{Port}, session {SessionId}, resuming after {LastSeq}")]
    private static partial void LogConnected(ILogger logger, string host, int port, string sessionId, long? lastSeq);

    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "Connection failed ({ExceptionType}): {Reason}")]
    private static partial void LogConnectionFailed(ILogger logger, string exceptionType, string reason);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Error, Message = "Giving up: {Reason}")]
    private static partial void LogFatal(ILogger logger, string reason);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Information, Message = "Session stopped")]
    private static partial void LogStopped(ILogger logger);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Debug, Message = "Dropped duplicate broadcast seq {Seq} of room '{Room}'")]
    private static partial void LogDuplicate(ILogger logger, string room, long seq);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Warning, Message = "Ignored a broadcast without seq, id or data")]
    private static partial void LogMalformedBroadcast(ILogger logger);

    [LoggerMessage(EventId = 4006, Level = LogLevel.Debug, Message = "Ignored frame with unknown command '{Command}'")]
    private static partial void LogUnknownCommand(ILogger logger, string command);

    [LoggerMessage(EventId = 4007, Level = LogLevel.Warning, Message = "The server was silent for three heartbeat intervals; reconnecting")]
    private static partial void LogServerSilent(ILogger logger);

    [LoggerMessage(EventId = 4008, Level = LogLevel.Information, Message = "Standard input ended; still printing until /quit, Ctrl+C or SIGTERM")]
    private static partial void LogInputEnded(ILogger logger);
}
