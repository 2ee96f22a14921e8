using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using RealTimeMessageChat.Infrastructure.Storage;
using RealTimeMessageChat.MainServerConsumer.Consuming;
using RealTimeMessageChat.MainServerConsumer.Observability;
using RealTimeMessageChat.MainServerConsumer.Tests.Support;
using RealTimeMessageChat.TestUtilities;

namespace RealTimeMessageChat.MainServerConsumer.Tests.Consuming;

public sealed class BatchProcessorTests : IDisposable
{
    private readonly FakeMessageLog _log = new();
    private readonly FakeSettler _settler;
    private readonly TestMeterFactory _meters = new();
    private readonly ConsumerMetrics _metrics;
    private readonly BatchProcessor _processor;

    public BatchProcessorTests()
    {
        _metrics = new ConsumerMetrics(_meters);
        _settler = new FakeSettler(_log);
        _processor = new BatchProcessor(_log, TestOptions.Validator(), _settler, _metrics, TimeProvider.System, NullLogger<BatchProcessor>.Instance);
    }

    public void Dispose() => _meters.Dispose();

    private static readonly object ChannelA = new();

    private static Delivery Deliver(ulong tag, string content, Guid? messageId = null, object? channel = null) =>
        new(tag, Messages.Bytes(Messages.Body(content, messageId: messageId)), false, channel ?? ChannelA);

    private static Delivery DeliverRaw(ulong tag, string raw) => new(tag, Encoding.UTF8.GetBytes(raw), false, ChannelA);

    [Fact]
    public async Task ProcessAsync_ValidBatch_AppendsInOrderThenAcksOnceWithMultiple()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        Delivery[] batch = [Deliver(1, "a"), Deliver(2, "b"), Deliver(3, "c")];

        await _processor.ProcessAsync(batch, cts.Token);

        Assert.Equal(["a", "b", "c"], _log.Messages(string.Empty).Select(m => m.Content));
        Assert.Equal([1L, 2L, 3L], _log.Messages(string.Empty).Select(m => m.Seq));
        Assert.Equal(["ack 3 multiple"], _settler.Events);
        Assert.Equal([3], _settler.StoredAtAck);
        Assert.Equal(1, _log.BatchCalls);
    }

    [Fact]
    public async Task ProcessAsync_RedisFailsTransientlyTwice_RetriesSameBatchAndAcksOnceInOrder()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        _log.BatchFailure = call => call switch
        {
            1 => new MessageLogException("down", isTransient: true),
            2 => new TimeoutException("slow"),
            _ => null,
        };
        Delivery[] batch = [Deliver(10, "first"), Deliver(11, "second"), Deliver(12, "third")];

        await _processor.ProcessAsync(batch, cts.Token);

        Assert.Equal(3, _log.BatchCalls);
        Assert.Equal(["first", "second", "third"], _log.Messages(string.Empty).Select(m => m.Content));
        Assert.Equal(["ack 12 multiple"], _settler.Events);
        Assert.Equal([3], _settler.StoredAtAck);
    }

    [Fact]
    public async Task ProcessAsync_BatchPartlyAppliedBeforeFailure_RetryAppendsEachOnce()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        Delivery[] batch = [Deliver(1, "a"), Deliver(2, "b"), Deliver(3, "c")];
        await _log.AppendBatchAsync([TestOptions.Validator().Validate(batch[0].Body).Message!], cts.Token);
        _log.BatchFailure = call => call == 2 ? new TimeoutException("lost reply") : null;

        await _processor.ProcessAsync(batch, cts.Token);

        Assert.Equal(["a", "b", "c"], _log.Messages(string.Empty).Select(m => m.Content));
        Assert.Equal(["ack 3 multiple"], _settler.Events);
    }

    [Fact]
    public async Task ProcessAsync_CancelledWhileRetrying_ThrowsAndAcksNothing()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cts.Token);
        _log.BatchFailure = call =>
        {
            if (call == 2)
            {
                stopping.Cancel();
            }

            return new MessageLogException("down", isTransient: true);
        };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _processor.ProcessAsync([Deliver(1, "a")], stopping.Token));

        Assert.Empty(_settler.Events);
        Assert.Empty(_log.Messages(string.Empty));
    }

    [Fact]
    public async Task ProcessAsync_InvalidMessage_DeadLettersItWithReasonAndAppendsTheRest()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        Delivery[] batch = [Deliver(1, "a"), DeliverRaw(2, "not json"), Deliver(3, "c")];

        await _processor.ProcessAsync(batch, cts.Token);

        Assert.Equal(["a", "c"], _log.Messages(string.Empty).Select(m => m.Content));
        Assert.Equal(2, _settler.Events.Count);
        Assert.StartsWith("dead-letter 2: invalid JSON", _settler.Events[0], StringComparison.Ordinal);
        Assert.Equal("ack 3 multiple", _settler.Events[1]);
    }

    [Fact]
    public async Task ProcessAsync_DeadLetterPublishFails_RejectsWithoutRequeue()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        _settler.DeadLetterSucceeds = false;

        await _processor.ProcessAsync([DeliverRaw(7, "[]")], cts.Token);

        Assert.Equal(3, _settler.Events.Count);
        Assert.StartsWith("dead-letter 7:", _settler.Events[0], StringComparison.Ordinal);
        Assert.Equal("reject 7", _settler.Events[1]);
        Assert.Equal("ack 7 multiple", _settler.Events[2]);
    }

    [Fact]
    public async Task ProcessAsync_ScriptErrorForOneMessage_DeadLettersOnlyThatMessage()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        _log.MessageFailure = m => m.Content == "poison" ? new MessageLogException("ERR Error running script", isTransient: false) : null;
        Delivery[] batch = [Deliver(1, "a"), Deliver(2, "poison"), Deliver(3, "c")];

        await _processor.ProcessAsync(batch, cts.Token);

        Assert.Equal(["a", "c"], _log.Messages(string.Empty).Select(m => m.Content));
        Assert.Equal(2, _settler.Events.Count);
        Assert.StartsWith("dead-letter 2: redis refused the message: ERR Error running script", _settler.Events[0], StringComparison.Ordinal);
        Assert.Equal("ack 3 multiple", _settler.Events[1]);
    }

    [Fact]
    public async Task ProcessAsync_RedeliveredDuplicate_AppendsNothingAndAcks()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        var messageId = Guid.NewGuid();
        await _processor.ProcessAsync([Deliver(1, "once", messageId)], cts.Token);

        await _processor.ProcessAsync([Deliver(2, "once", messageId) with { Redelivered = true }], cts.Token);

        Assert.Single(_log.Messages(string.Empty));
        Assert.Equal(["ack 1 multiple", "ack 2 multiple"], _settler.Events);
    }

    [Fact]
    public async Task ProcessAsync_DeliveriesFromTwoChannels_AcksLastOfEachChannel()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        object channelB = new();
        Delivery[] batch = [Deliver(5, "a"), Deliver(6, "b"), Deliver(1, "c", channel: channelB), Deliver(2, "d", channel: channelB)];

        await _processor.ProcessAsync(batch, cts.Token);

        Assert.Equal(["ack 6 multiple", "ack 2 multiple"], _settler.Events);
        Assert.Equal(["a", "b", "c", "d"], _log.Messages(string.Empty).Select(m => m.Content));
    }
}
