using System.Collections.Concurrent;
using RealTimeMessageChat.Infrastructure.Storage;

namespace RealTimeMessageChat.MainServer.Tests.Support;

/// <summary>The PostgreSQL presence columns in memory, with the repository's newest-wins rule.</summary>
internal sealed class FakePresenceRepository : IPresenceRepository
{
    public ConcurrentDictionary<string, PresenceRecord> Rows { get; } = new(StringComparer.Ordinal);

    public bool Fail { get; set; }

    public Task ApplyAsync(IReadOnlyList<PresenceChange> changes, CancellationToken cancellationToken)
    {
        if (Fail)
        {
            return Task.FromException(new InvalidOperationException("database down"));
        }

        foreach (PresenceChange change in changes)
        {
            Rows.AddOrUpdate(
                change.UserId,
                _ => Row(null, change),
                (_, row) => Row(row, change));
        }

        return Task.CompletedTask;
    }

    public Task<PresenceRecord?> FindAsync(string userId, CancellationToken cancellationToken) =>
        Task.FromResult(Rows.TryGetValue(userId, out PresenceRecord? row) ? row : null);

    private static PresenceRecord Row(PresenceRecord? row, PresenceChange change)
    {
        row ??= new PresenceRecord(change.UserId, false, null, null);
        if (change.Kind == PresenceChangeKind.Text)
        {
            return row with { Status = change.Text };
        }

        return row.LastSeenAt is { } seen && seen >= change.At ? row : row with { Online = change.Kind == PresenceChangeKind.Online, LastSeenAt = change.At };
    }
}
