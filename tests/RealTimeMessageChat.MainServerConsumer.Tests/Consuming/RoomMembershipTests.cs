using System.Data.Common;
using Microsoft.Extensions.Logging.Abstractions;
using RealTimeMessageChat.Infrastructure.Rooms;
using RealTimeMessageChat.MainServerConsumer.Consuming;
using RealTimeMessageChat.MainServerConsumer.Observability;
using RealTimeMessageChat.MainServerConsumer.Tests.Support;
using RealTimeMessageChat.TestUtilities;

namespace RealTimeMessageChat.MainServerConsumer.Tests.Consuming;

/// <summary>Issue 8: the consumer checks room membership again and dead-letters a non-member's message with the reason.</summary>
public sealed class RoomMembershipTests : IDisposable
{
    private readonly FakeMessageLog _log = new();
    private readonly FakeSettler _settler;
    private readonly TestMeterFactory _meters = new();
    private readonly Members _members = new();
    private readonly BatchProcessor _processor;

    public RoomMembershipTests()
    {
        _settler = new FakeSettler(_log);
        _processor = new BatchProcessor(_log, TestOptions.Validator(), _settler, new ConsumerMetrics(_meters), TimeProvider.System, NullLogger<BatchProcessor>.Instance, rooms: _members);
    }

    public void Dispose() => _meters.Dispose();

    [Fact]
    public async Task ProcessAsync_NonMember_DeadLetteredWithTheRoom_MemberAndGlobalAppended()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        _members.Add("team", "alice");
        Delivery[] batch = [Deliver(1, "alice", "team"), Deliver(2, "bob", "team"), Deliver(3, "bob", ""), Deliver(4, "bob", "nowhere")];

        await _processor.ProcessAsync(batch, cts.Token);

        Assert.Equal(["alice"], _log.Messages("team").Select(m => m.SenderId));
        Assert.Equal(["bob"], _log.Messages(string.Empty).Select(m => m.SenderId));
        Assert.Equal(
            ["dead-letter 2: sender is not a member of room team", "dead-letter 4: sender is not a member of room nowhere", "ack 4 multiple"],
            _settler.Events);
    }

    [Fact]
    public async Task ProcessAsync_MembershipStoreDown_MessageGoesThroughOnTheApisWord()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        _members.Down = true;

        await _processor.ProcessAsync([Deliver(1, "carol", "team")], cts.Token);

        Assert.Single(_log.Messages("team"));
        Assert.Equal(["ack 1 multiple"], _settler.Events);
    }

    private static Delivery Deliver(ulong tag, string sender, string room) =>
        new(tag, Messages.Bytes(Messages.Body("hi", id: sender, subId: room)), false, "channel");

    private sealed class Members : IRoomMembership
    {
        private readonly HashSet<(string, string)> _pairs = [];

        public bool Down { get; set; }

        public void Add(string room, string user) => _pairs.Add((room, user));

        public ValueTask<bool> IsMemberAsync(string room, string userId, CancellationToken cancellationToken) =>
            Down ? throw new FakeDbException() : ValueTask.FromResult(room.Length == 0 || _pairs.Contains((room, userId)));
    }

    private sealed class FakeDbException() : DbException("connection refused");
}
