using Microsoft.Extensions.Logging.Abstractions;
using RealTimeMessageChat.Infrastructure.Sessions;
using RealTimeMessageChat.Infrastructure.Storage;
using RealTimeMessageChat.MainServerConsumer.Consuming;
using RealTimeMessageChat.MainServerConsumer.Observability;
using RealTimeMessageChat.MainServerConsumer.Tests.Support;
using RealTimeMessageChat.TestUtilities;

namespace RealTimeMessageChat.MainServerConsumer.Tests.Consuming;

public sealed class BannedSenderTests : IDisposable
{
    private readonly FakeMessageLog _log = new();
    private readonly FakeSettler _settler;
    private readonly TestMeterFactory _meters = new();
    private readonly Users _users = new();
    private readonly SenderStatusCache _senders;
    private readonly BatchProcessor _processor;

    public BannedSenderTests()
    {
        _settler = new FakeSettler(_log);
        _senders = new SenderStatusCache(_users, TimeSpan.FromMinutes(5));
        _processor = new BatchProcessor(_log, TestOptions.Validator(), _settler, new ConsumerMetrics(_meters), TimeProvider.System, NullLogger<BatchProcessor>.Instance, _senders);
    }

    public void Dispose()
    {
        _senders.Dispose();
        _meters.Dispose();
    }

    [Fact]
    public async Task ProcessAsync_BannedAndChatBannedSenders_DeadLetteredWithTheReason_OthersAppended()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        _users.Set("alice", banned: false, chatBanned: false);
        _users.Set("bob", banned: true, chatBanned: false);
        _users.Set("carol", banned: false, chatBanned: true);
        Delivery[] batch = [Deliver(1, "alice"), Deliver(2, "bob"), Deliver(3, "carol"), Deliver(4, "unknown")];

        await _processor.ProcessAsync(batch, cts.Token);

        Assert.Equal(["alice", "unknown"], _log.Messages(string.Empty).Select(m => m.SenderId));
        Assert.Equal(["dead-letter 2: sender is banned", "dead-letter 3: sender is chat-banned", "ack 4 multiple"], _settler.Events);
    }

    [Fact]
    public async Task ProcessAsync_ChatBanAnnounced_NextMessageDeadLettered_WithoutWaitingForTheCache()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        _users.Set("dave", banned: false, chatBanned: false);
        await _processor.ProcessAsync([Deliver(1, "dave")], cts.Token);
        _users.Set("dave", banned: false, chatBanned: true);

        _senders.OnEvent(new ModerationEvent(ModerationEvent.AccountChanged, "dave", null, "chat-ban"));
        await _processor.ProcessAsync([Deliver(2, "dave")], cts.Token);

        Assert.Single(_log.Messages(string.Empty));
        Assert.Contains("dead-letter 2: sender is chat-banned", _settler.Events);
        Assert.Equal(2, _users.Lookups);
    }

    private static Delivery Deliver(ulong tag, string sender) => new(tag, Messages.Bytes(Messages.Body("hi", id: sender)), false, "channel");

    private sealed class Users : IUserRepository
    {
        private readonly Dictionary<string, UserAccount> _accounts = [];

        public int Lookups { get; private set; }

        public void Set(string userId, bool banned, bool chatBanned) =>
            _accounts[userId] = new UserAccount(userId, null, "hash", banned, chatBanned);

        public Task<UserAccount?> FindAsync(string userId, CancellationToken cancellationToken)
        {
            Lookups++;
            return Task.FromResult(_accounts.GetValueOrDefault(userId));
        }

        public Task<bool> TryCreateAsync(string userId, string? username, string passwordHash, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<bool> TryReplacePasswordHashAsync(string userId, string expectedHash, string newHash, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
