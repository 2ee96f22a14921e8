using Microsoft.Extensions.Logging.Abstractions;
using RealTimeMessageChat.MainServerConsumer.Persistence;
using RealTimeMessageChat.MainServerConsumer.Tests.Support;

namespace RealTimeMessageChat.MainServerConsumer.Tests.Persistence;

public sealed class SequenceFloorSeederTests
{
    [Fact]
    public async Task StartAsync_GivesTheLogPostgresHighestSeqOfEveryRoom()
    {
        var store = new FakeMessageStore();
        var log = new FakeMessageLog();
        await store.SaveBatchAsync([Messages.Chat("", "a", seq: 1), Messages.Chat("", "b", seq: 2), Messages.Chat("team", "c", seq: 9)], CancellationToken.None);

        await new SequenceFloorSeeder(store, log, NullLogger<SequenceFloorSeeder>.Instance).StartAsync(CancellationToken.None);

        Assert.Equal(new Dictionary<string, long> { [""] = 2, ["team"] = 9 }, log.Floors);
    }
}
