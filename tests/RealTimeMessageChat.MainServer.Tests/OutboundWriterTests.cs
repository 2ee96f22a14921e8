using Microsoft.Extensions.Logging.Abstractions;
using RealTimeMessageChat.MainServer.Broadcasting;
using RealTimeMessageChat.MainServer.Delivery;
using RealTimeMessageChat.MainServer.Tests.Support;
using RealTimeMessageChat.Protocol;

namespace RealTimeMessageChat.MainServer.Tests;

public sealed class OutboundWriterTests
{
    [Fact]
    public async Task Schedule_ManyFramesQueued_GoOutInOneSend()
    {
        using CancellationTokenSource cts = TestTimeout.Start();
        var (room, delivery, transport) = Create(head: 0);
        transport.Gate.Reset();
        room.Ring.TryAppend(1, Frame(1), now: 0);
        StartHeldSend(room, delivery);
        await transport.FirstSendStarted.Task.WaitAsync(cts.Token);

        // The first send is in flight: everything appended meanwhile waits for one more send.
        for (long seq = 2; seq <= 200; seq++)
        {
            room.Ring.TryAppend(seq, Frame(seq), now: 0);
            delivery.OnAppended(room.Subscribers.ToList()[0], now: 0);
        }

        transport.Gate.Set();
        await transport.WaitForSeqAsync(200, cts.Token);

        Assert.Equal(2, transport.Sends.Count);
        Assert.Equal([1L], transport.Sends[0]);
        Assert.Equal(FrameAssertions.Range(2, 200), transport.Sends[1]);
    }

    [Fact]
    public async Task Fill_CursorBeforeTheRing_ReadsHistoryFromTheLogThenContinuesFromTheRing()
    {
        using CancellationTokenSource cts = TestTimeout.Start();
        var log = new FakeMessageLog();
        for (int i = 0; i < 10; i++)
        {
            log.AppendSilently($"old {i}");
        }

        var (room, delivery, transport) = Create(head: 10, log: log, afterSeq: 4);
        log.AppendSilently("new");
        room.Ring.TryAppend(11, Frame(11), now: 0);
        delivery.OnAppended(room.Subscribers.ToList()[0], now: 0);
        await transport.WaitForSeqAsync(11, cts.Token);

        Assert.Equal(FrameAssertions.Range(5, 11), transport.Sends.SelectMany(s => s).ToList());
    }

    [Fact]
    public async Task Fill_CursorFellOffAndTheLogIsTrimmed_ContinuesFromTheRingInsteadOfStalling()
    {
        using CancellationTokenSource cts = TestTimeout.Start();
        var (room, delivery, transport) = Create(head: 0, ringFrames: 16);
        transport.Gate.Reset();
        room.Ring.TryAppend(1, Frame(1), now: 0);
        StartHeldSend(room, delivery);
        await transport.FirstSendStarted.Task.WaitAsync(cts.Token);

        for (long seq = 2; seq <= 100; seq++)
        {
            room.Ring.TryAppend(seq, Frame(seq), now: 0);
        }

        delivery.OnAppended(room.Subscribers.ToList()[0], now: 0);
        transport.Gate.Set();
        await transport.WaitForSeqAsync(100, cts.Token);

        Assert.Equal([1L, .. FrameAssertions.Range(85, 100)], transport.Sends.SelectMany(s => s).ToList());
        Assert.Equal([(2L, 84L, 1L)], transport.Recoveries);
    }

    [Fact]
    public async Task Fill_CursorOlderThanTheLogHolds_FillsTheGapFromTheArchiveBeforeGoingLive()
    {
        using CancellationTokenSource cts = TestTimeout.Start();
        var log = new FakeMessageLog();
        var archive = new FakeMessageArchive();
        for (int i = 0; i < 30; i++)
        {
            log.AppendSilently($"m{i}");
        }

        archive.Store(log.Messages(""));
        log.TrimUpTo("", 20);

        var (room, delivery, transport) = Create(head: 30, log: log, afterSeq: 3, archive: archive);
        log.AppendSilently("live");
        room.Ring.TryAppend(31, Frame(31), now: 0);
        delivery.OnAppended(room.Subscribers.ToList()[0], now: 0);
        await transport.WaitForSeqAsync(31, cts.Token);

        Assert.Equal(FrameAssertions.Range(4, 31), transport.Sends.SelectMany(s => s).ToList());
        Assert.Empty(transport.Recoveries);
    }

    [Fact]
    public async Task Fill_GapInNeitherStore_SendsARecoveryFrameInItsPlace()
    {
        using CancellationTokenSource cts = TestTimeout.Start();
        var log = new FakeMessageLog();
        var archive = new FakeMessageArchive();
        for (int i = 0; i < 30; i++)
        {
            log.AppendSilently($"m{i}");
        }

        archive.Store(log.TrimUpTo("", 20).Where(m => m.Seq <= 8));

        var (_, _, transport) = Create(head: 30, log: log, afterSeq: 3, archive: archive);
        await transport.WaitForSeqAsync(30, cts.Token);

        Assert.Equal([.. FrameAssertions.Range(4, 8), .. FrameAssertions.Range(21, 30)], transport.Sends.SelectMany(s => s).ToList());
        Assert.Equal([(9L, 20L, 8L)], transport.Recoveries);
    }

    /// <summary>
    /// The first OnAppended, off the test's thread: an idle writer runs inline (RunNow), so when
    /// the writer that Subscribe scheduled has already gone idle, the held send would block the
    /// test itself, 10 s per later OnAppended (seen: a 30-minute hang, and 15 s timeouts).
    /// </summary>
    private static void StartHeldSend(Room room, ClientDelivery delivery) =>
        _ = Task.Run(() => delivery.OnAppended(room.Subscribers.ToList()[0], now: 0));

    private static (Room Room, ClientDelivery Delivery, RecordingTransport Transport) Create(long head, FakeMessageLog? log = null, long? afterSeq = null, int ringFrames = 256, FakeMessageArchive? archive = null)
    {
        var transport = new RecordingTransport();
        var writer = new OutboundWriter(transport);
        var target = new WriterTarget(writer);
        var limits = new DeliveryLimits(DisconnectSlow: true, MaxBacklogBytes: 1 << 20, MaxBacklogFrames: 0, MaxBacklogAgeMs: 0, ReplayBatchSize: 512);
        var metrics = new MainServerMetrics(new TestMeterFactory());
        var history = new Infrastructure.Storage.TieredMessageReader(log ?? new FakeMessageLog(), archive ?? new FakeMessageArchive());
        var delivery = new ClientDelivery(target, history, new LengthPrefixedFrameCodec(), limits, metrics, NullLogger.Instance);
        writer.Attach(delivery);
        var room = new Room("", new FrameRing(ringFrames, 1 << 20, head));
        delivery.Subscribe(room, afterSeq ?? head);
        return (room, delivery, transport);
    }

    /// <summary>A broadcast-shaped frame whose seq the recording transport can read back.</summary>
    private static byte[] Frame(long seq) => BroadcastFrameEncoder.Encode(
        new Contracts.Storage.ChatMessage
        {
            MessageId = Guid.NewGuid(),
            Seq = seq,
            SenderId = "alice",
            SubId = "",
            Command = "send_broadcast_message",
            Content = "x",
            CreatedAt = DateTimeOffset.UtcNow,
        },
        new LengthPrefixedFrameCodec());

    private sealed class WriterTarget(OutboundWriter writer) : IDeliveryTarget
    {
        public long Id => 1;

        public void Schedule() => writer.Schedule();

        public void RunNow() => writer.RunNow();

        public void Send(byte[] frame) => writer.TryEnqueue(frame);

        public void EvictSlow(string detail) => throw new InvalidOperationException(detail);
    }
}
