using System.Threading.Channels;
using RealTimeMessageChat.Infrastructure.Rooms;

namespace RealTimeMessageChat.MainServer.Rooms;

/// <summary>
/// Writes <c>read</c> commands to <see cref="IReadReceipts"/> off the connections' loops: a
/// command is queued (never awaited by the connection), written in order by one loop, and a
/// failure is logged and counted, never sent to the client. A full queue (PostgreSQL far behind)
/// drops the command: the next <c>read</c> of the room carries a seq at least as high.
/// </summary>
internal sealed partial class ReadReceiptWriter(IReadReceipts receipts, MainServerMetrics metrics, ILogger<ReadReceiptWriter> logger) : BackgroundService
{
    private const int Capacity = 10_000;

    private readonly Channel<ReadMark> _queue = Channel.CreateBounded<ReadMark>(new BoundedChannelOptions(Capacity)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    public void Enqueue(string room, string userId, long seq)
    {
        if (!_queue.Writer.TryWrite(new ReadMark(room, userId, seq)))
        {
            metrics.ReadFailed();
            LogQueueFull(logger, room, userId);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (ReadMark mark in _queue.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                timeout.CancelAfter(TimeSpan.FromSeconds(5));
                await receipts.MarkReadAsync(mark.Room, mark.UserId, mark.Seq, timeout.Token);
                metrics.ReadStored();
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                metrics.ReadFailed();
                LogWriteFailed(logger, ex, mark.Room, mark.UserId, mark.Seq);
            }
        }
    }

    private readonly record struct ReadMark(string Room, string UserId, long Seq);

    [LoggerMessage(EventId = 2720, Level = LogLevel.Warning, Message = "Storing read receipt of {UserId} in room {Room} up to seq {Seq} failed")]
    private static partial void LogWriteFailed(ILogger logger, Exception exception, string room, string userId, long seq);

    [LoggerMessage(EventId = 2721, Level = LogLevel.Warning, Message = "Read receipt queue full; dropped the read of {UserId} in room {Room}")]
    private static partial void LogQueueFull(ILogger logger, string room, string userId);
}
