using RealTimeMessageChat.Contracts;
using RealTimeMessageChat.Contracts.Tcp;
using RealTimeMessageChat.Infrastructure.Sessions;
using RealTimeMessageChat.Infrastructure.Storage;

namespace RealTimeMessageChat.MainServer.Networking;

/// <summary>
/// This server's connections by user, with the login session (token id) each came in on, so an
/// ended session or a ban announced on the moderation channel closes them: an error frame
/// <c>{"command":"error","message":"session ended: &lt;reason&gt;"}</c>, then the close. A connection
/// is tracked before its handshake checks the session, so an end announced after that check finds it.
/// After the channel was lost and is back, every tracked session is checked again.
/// </summary>
internal sealed partial class SessionRevoker(ISessionStore sessions, ILogger<SessionRevoker> logger) : IModerationEventHandler
{
    private readonly Dictionary<string, HashSet<ClientConnection>> _byUser = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public void Track(ClientConnection connection, string userId, string tokenId)
    {
        connection.TokenId = tokenId;
        connection.TrackedUserId = userId;
        lock (_lock)
        {
            if (!_byUser.TryGetValue(userId, out HashSet<ClientConnection>? set))
            {
                _byUser[userId] = set = [];
            }

            set.Add(connection);
        }
    }

    public void Untrack(ClientConnection connection)
    {
        if (connection.TrackedUserId is not { } userId)
        {
            return;
        }

        lock (_lock)
        {
            if (_byUser.TryGetValue(userId, out HashSet<ClientConnection>? set) && set.Remove(connection) && set.Count == 0)
            {
                _byUser.Remove(userId);
            }
        }
    }

    public void OnEvent(ModerationEvent moderationEvent)
    {
        if (moderationEvent.Kind is not (ModerationEvent.SessionEnded or ModerationEvent.UserSessionsEnded))
        {
            return;
        }

        ClientConnection[] closing;
        lock (_lock)
        {
            if (!_byUser.TryGetValue(moderationEvent.UserId, out HashSet<ClientConnection>? set))
            {
                return;
            }

            closing = [.. set.Where(c => moderationEvent.Kind == ModerationEvent.UserSessionsEnded || c.TokenId == moderationEvent.TokenId)];
        }

        foreach (ClientConnection connection in closing)
        {
            End(connection, moderationEvent.Reason);
        }
    }

    public void OnResubscribed() => _ = RecheckAllAsync();

    /// <summary>Sends the error frame and closes after it; the caller's handshake, if still running, sees the close reason.</summary>
    public void End(ClientConnection connection, string reason)
    {
        string message = $"session ended: {reason}";
        LogSessionEnded(logger, connection.Id, connection.TrackedUserId, reason);
        connection.Send(connection.Codec.Encode(TcpFrameJson.Serialize(new ErrorFrame { Message = message }, ContractsJsonContext.Default.ErrorFrame)));
        connection.RequestClose(message);
    }

    private async Task RecheckAllAsync()
    {
        ClientConnection[] all;
        lock (_lock)
        {
            all = [.. _byUser.Values.SelectMany(s => s)];
        }

        // Many connections share a token (one login, several clients): each session is asked once.
        int ended = 0;
        foreach (IGrouping<string, ClientConnection> session in all.Where(c => c.TokenId is not null).GroupBy(c => c.TokenId!, StringComparer.Ordinal))
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                if (!await sessions.ExistsAsync(session.Key, timeout.Token))
                {
                    foreach (ClientConnection connection in session)
                    {
                        End(connection, "ended");
                        ended++;
                    }
                }
            }
            catch (Exception ex) when (ex is MessageLogException or OperationCanceledException)
            {
                // Redis away again: the next resubscription checks once more.
                LogRecheckFailed(logger, ex.Message);
                return;
            }
        }

        LogRechecked(logger, all.Length, ended);
    }

    [LoggerMessage(EventId = 2600, Level = LogLevel.Information, Message = "Connection {ConnectionId} (user {UserId}): session ended ({Reason})")]
    private static partial void LogSessionEnded(ILogger logger, long connectionId, string? userId, string reason);

    [LoggerMessage(EventId = 2601, Level = LogLevel.Information, Message = "Moderation channel back: {Count} sessions checked again, {Ended} had ended")]
    private static partial void LogRechecked(ILogger logger, int count, int ended);

    [LoggerMessage(EventId = 2602, Level = LogLevel.Warning, Message = "Checking the sessions again after the moderation channel came back failed: {Reason}")]
    private static partial void LogRecheckFailed(ILogger logger, string reason);
}
