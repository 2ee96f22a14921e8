using RealTimeMessageChat.Infrastructure.Storage;

namespace RealTimeMessageChat.MainServer.Presence;

/// <summary>
/// Finds servers whose heartbeat expired (killed, frozen, cut off) and closes their sessions, so
/// their users go offline where it was their last session. Every live server runs it after each
/// heartbeat; the Redis lock (with an expiry, renewed by its holder) lets one sweep at a time, and
/// passes to another server within the expiry when the holder dies.
/// </summary>
internal sealed partial class PresenceSweep(IPresenceStore store, string serverId, TimeSpan userTtl, TimeSpan lockHold, ILogger logger)
{
    public async Task<ServerRemoval> RunAsync(CancellationToken cancellationToken)
    {
        if (!await store.TryLockSweepAsync(serverId, lockHold, cancellationToken))
        {
            return ServerRemoval.None;
        }

        var offline = new List<PresenceChange>();
        var stillOnline = new List<PresenceChange>();
        foreach (string dead in await store.FindDeadServersAsync(cancellationToken))
        {
            if (dead == serverId)
            {
                // Our own heartbeat lapsed (a pause, Redis away): the heartbeat after this sweep restores it.
                continue;
            }

            ServerRemoval removal = await store.RemoveServerAsync(dead, userTtl, cancellationToken);
            LogSwept(logger, dead, removal.Offline.Count);
            offline.AddRange(removal.Offline);
            stillOnline.AddRange(removal.StillOnline);
        }

        return new ServerRemoval(offline, stillOnline);
    }

    [LoggerMessage(EventId = 2510, Level = LogLevel.Warning, Message = "Presence: server {DeadServerId} stopped its heartbeat; its sessions are closed, {Offline} users went offline")]
    private static partial void LogSwept(ILogger logger, string deadServerId, int offline);
}
