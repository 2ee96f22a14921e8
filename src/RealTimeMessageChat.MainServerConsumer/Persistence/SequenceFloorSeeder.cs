using RealTimeMessageChat.Infrastructure.Storage;

namespace RealTimeMessageChat.MainServerConsumer.Persistence;

/// <summary>
/// At start, after the migrations and before consuming: PostgreSQL's highest stored seq per room
/// becomes the log's floor for that room (<see cref="IMessageLog.RaiseSequenceFloor"/>). A Redis
/// that lost its data (run without its append-only file) then continues each room after what
/// PostgreSQL holds, instead of at 1 under seqs PostgreSQL would skip as already stored.
/// </summary>
internal sealed partial class SequenceFloorSeeder(IMessageStore store, IMessageLog log, ILogger<SequenceFloorSeeder> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        IReadOnlyDictionary<string, long> persisted = await store.GetPersistedSeqsAsync(cancellationToken);
        foreach (var (room, seq) in persisted)
        {
            log.RaiseSequenceFloor(room, seq);
        }

        LogSeeded(logger, persisted.Count);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 3400, Level = LogLevel.Information, Message = "Sequence floors from PostgreSQL for {Rooms} rooms: should Redis lose its data, numbering continues after them")]
    private static partial void LogSeeded(ILogger logger, int rooms);
}
