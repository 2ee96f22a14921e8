namespace RealTimeMessageChat.Infrastructure.Storage;

/// <summary>Who is online, on which server, with which status text (Redis user-status database).</summary>
public interface IPresenceStore
{
    Task SetOnlineAsync(string userId, string serverId, string sessionId, CancellationToken cancellationToken);

    /// <summary>Marks the session gone; the user is offline when it was their last session.</summary>
    Task SetOfflineAsync(string userId, string sessionId, CancellationToken cancellationToken);

    Task SetStatusAsync(string userId, string status, CancellationToken cancellationToken);
}
