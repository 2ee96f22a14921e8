using Microsoft.Extensions.Logging.Abstractions;
using RealTimeMessageChat.Contracts.Storage;
using RealTimeMessageChat.Infrastructure.Storage.Redis;
using RealTimeMessageChat.MainServerConsumer.Tests.Support;
using RealTimeMessageChat.TestUtilities;
using RealTimeMessageChat.TestUtilities.Services;

namespace RealTimeMessageChat.MainServerConsumer.Tests.Storage;

/// <summary>Retention against a real Redis (issue 7): only entries PostgreSQL holds ever leave the stream.</summary>
[Collection(RealServicesCollection.Name)]
[Trait("Category", "Integration")]
public sealed class RedisMessageLogTrimTests(TestServicesFixture services) : IAsyncLifetime
{
    private readonly string _room = "trim-" + Guid.NewGuid().ToString("N");
    private readonly List<RedisConnectionProvider> _providers = [];

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        foreach (RedisConnectionProvider provider in _providers)
        {
            var database = await provider.GetMessageDatabaseAsync();
            await database.KeyDeleteAsync([RedisKeys.Stream(_room), RedisKeys.Sequence(_room)]);
            await database.SetRemoveAsync(RedisKeys.Rooms, _room);
            await provider.DisposeAsync();
        }
    }

    [Fact]
    public async Task AppendAsync_FarOverTheLengthBound_TrimsNothing()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        RedisMessageLog log = CreateLog(maxLength: 5);

        await log.AppendBatchAsync([.. Enumerable.Range(1, 40).Select(i => Messages.Chat(_room, $"m{i}"))], cts.Token);

        Assert.Equal(1, await log.GetFirstRetainedSeqAsync(_room, cts.Token));
        Assert.Equal(40, (await log.ReadAfterAsync(_room, 0, 100, cts.Token)).Count);
    }

    [Fact]
    public async Task TrimPersistedAsync_NothingPersisted_KeepsEverythingOverTheBound()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        RedisMessageLog log = CreateLog(maxLength: 5, maxAgeSeconds: 1);
        await log.AppendBatchAsync([.. Enumerable.Range(1, 40).Select(i => Messages.Chat(_room, $"m{i}"))], cts.Token);

        long removed = await log.TrimPersistedAsync(_room, 0, cts.Token);

        Assert.Equal(0, removed);
        Assert.Equal(1, await log.GetFirstRetainedSeqAsync(_room, cts.Token));
    }

    [Fact]
    public async Task TrimPersistedAsync_PersistedBelowTheLengthBound_TrimsOnlyUpToPersisted()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        RedisMessageLog log = CreateLog(maxLength: 5);
        await log.AppendBatchAsync([.. Enumerable.Range(1, 40).Select(i => Messages.Chat(_room, $"m{i}"))], cts.Token);

        long removed = await log.TrimPersistedAsync(_room, 12, cts.Token);

        Assert.Equal(12, removed);
        Assert.Equal(13, await log.GetFirstRetainedSeqAsync(_room, cts.Token));
    }

    [Fact]
    public async Task TrimPersistedAsync_AllPersisted_KeepsTheNewestMaxLength()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        RedisMessageLog log = CreateLog(maxLength: 5);
        await log.AppendBatchAsync([.. Enumerable.Range(1, 40).Select(i => Messages.Chat(_room, $"m{i}"))], cts.Token);

        long removed = await log.TrimPersistedAsync(_room, 40, cts.Token);

        Assert.Equal(35, removed);
        Assert.Equal([36L, 37L, 38L, 39L, 40L], (await log.ReadAfterAsync(_room, 0, 100, cts.Token)).Select(m => m.Seq));
    }

    [Fact]
    public async Task TrimPersistedAsync_AgeBound_RemovesOldPersistedEntriesWithinTheLength()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        RedisMessageLog log = CreateLog(maxLength: 1_000, maxAgeSeconds: 3600);
        DateTimeOffset now = DateTimeOffset.UtcNow;
        var old = Enumerable.Range(1, 10).Select(i => Messages.Chat(_room, $"old{i}") with { CreatedAt = now.AddHours(-2) });
        var young = Enumerable.Range(1, 10).Select(i => Messages.Chat(_room, $"new{i}") with { CreatedAt = now });
        await log.AppendBatchAsync([.. old, .. young], cts.Token);

        long partly = await log.TrimPersistedAsync(_room, 6, cts.Token);
        long rest = await log.TrimPersistedAsync(_room, 20, cts.Token);

        Assert.Equal(6, partly);
        Assert.Equal(4, rest);
        Assert.Equal(11, await log.GetFirstRetainedSeqAsync(_room, cts.Token));
    }

    private RedisMessageLog CreateLog(int maxLength, int maxAgeSeconds = 0)
    {
        RedisOptions options = RealServiceOptions.Redis(services.Require());
        options.StreamMaxLength = maxLength;
        options.StreamMaxAgeSeconds = maxAgeSeconds;
        RedisConnectionProvider provider = RealServiceOptions.CreateRedisProvider(options);
        _providers.Add(provider);
        return new RedisMessageLog(provider, NullLogger<RedisMessageLog>.Instance);
    }
}
