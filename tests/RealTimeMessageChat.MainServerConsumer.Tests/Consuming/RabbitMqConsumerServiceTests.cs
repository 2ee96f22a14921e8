using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RabbitMQ.Client;
using RealTimeMessageChat.Contracts.Messaging;
using RealTimeMessageChat.Contracts.Storage;
using RealTimeMessageChat.Infrastructure.Messaging;
using RealTimeMessageChat.Infrastructure.Storage;
using RealTimeMessageChat.Infrastructure.Storage.Redis;
using RealTimeMessageChat.MainServerConsumer.Consuming;
using RealTimeMessageChat.MainServerConsumer.Observability;
using RealTimeMessageChat.MainServerConsumer.Options;
using RealTimeMessageChat.MainServerConsumer.Tests.Support;
using RealTimeMessageChat.TestUtilities;
using RealTimeMessageChat.TestUtilities.Services;

namespace RealTimeMessageChat.MainServerConsumer.Tests.Consuming;

/// <summary>The consumer service against real RabbitMQ and Redis, on a queue and room of its own.</summary>
[Collection(RealServicesCollection.Name)]
[Trait("Category", "Integration")]
public sealed class RabbitMqConsumerServiceTests(TestServicesFixture testServices) : IAsyncLifetime
{
    private readonly string _queue = "consumer_test_" + Guid.NewGuid().ToString("N");
    private readonly string _room = "test-" + Guid.NewGuid().ToString("N");
    private ServiceProvider? _services;

    private ServiceProvider Services => _services!;

    public ValueTask InitializeAsync()
    {
        ITestServices real = testServices.Require();
        RedisOptions redis = RealServiceOptions.Redis(real);
        RabbitMqOptions rabbit = RealServiceOptions.RabbitMq(real);
        var services = new ServiceCollection();
        services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        services.AddSingleton(Microsoft.Extensions.Options.Options.Create(redis));
        services.AddSingleton(Microsoft.Extensions.Options.Options.Create(rabbit));
        services.AddSingleton(Microsoft.Extensions.Options.Options.Create(new ConsumerOptions { ConsumeQueueName = _queue, PrefetchCount = 64, BatchSize = 16 }));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<RedisConnectionProvider>();
        services.AddSingleton<IMessageLog, RedisMessageLog>();
        services.AddSingleton<RabbitMqConnectionProvider>();
        services.AddMetrics();
        services.AddSingleton<ConsumerMetrics>();
        services.AddSingleton<MessageValidator>();
        services.AddSingleton<IDeliverySettler, RabbitMqDeliverySettler>();
        services.AddSingleton<BatchProcessor>();
        services.AddSingleton<RabbitMqConsumerService>();
        _services = services.BuildServiceProvider();
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        if (_services is null)
        {
            return;
        }

        IConnection connection = await Services.GetRequiredService<RabbitMqConnectionProvider>().GetConnectionAsync(CancellationToken.None);
        await using (IChannel channel = await connection.CreateChannelAsync())
        {
            await channel.QueueDeleteAsync(_queue);
            await channel.QueueDeleteAsync(MessagingTopology.DeadLetterQueueFor(_queue));
        }

        var database = await Services.GetRequiredService<RedisConnectionProvider>().GetMessageDatabaseAsync();
        await database.KeyDeleteAsync([RedisKeys.Stream(_room), RedisKeys.Sequence(_room)]);
        await database.SetRemoveAsync(RedisKeys.Rooms, _room);
        await _services.DisposeAsync();
    }

    [Fact]
    public async Task Consumer_ValidAndInvalidBodies_AppendsValidInOrderAndDeadLettersInvalidWithReason()
    {
        using var cts = TestTimeouts.Create(TimeSpan.FromSeconds(30));
        IConnection connection = await Services.GetRequiredService<RabbitMqConnectionProvider>().GetConnectionAsync(cts.Token);
        await using IChannel publisher = await connection.CreateChannelAsync(new CreateChannelOptions(true, true), cts.Token);
        await MessagingTopology.DeclareAsync(publisher, _queue, cts.Token);
        IMessageLog log = Services.GetRequiredService<IMessageLog>();
        using var appended = new SemaphoreSlim(0);
        using var subscription = CancellationTokenSource.CreateLinkedTokenSource(cts.Token);
        await log.SubscribeAsync(room => { if (room == _room) { appended.Release(); } }, subscription.Token);
        var duplicateId = Guid.NewGuid();
        for (int i = 1; i <= 100; i++)
        {
            await PublishAsync(publisher, Messages.Bytes(Messages.Body($"m{i}", subId: _room, messageId: i == 50 ? duplicateId : null)), cts.Token);
            if (i == 50)
            {
                await PublishAsync(publisher, Messages.Bytes(Messages.Body("m50 again", subId: _room, messageId: duplicateId)), cts.Token);
                await PublishAsync(publisher, Encoding.UTF8.GetBytes("{\"id\": 1}"), cts.Token);
            }
        }

        RabbitMqConsumerService service = Services.GetRequiredService<RabbitMqConsumerService>();
        await service.StartAsync(cts.Token);
        while (await log.GetLastSeqAsync(_room, cts.Token) < 100)
        {
            await appended.WaitAsync(cts.Token);
        }

        await service.StopAsync(cts.Token);

        IReadOnlyList<ChatMessage> stored = await log.ReadAfterAsync(_room, 0, 500, cts.Token);
        Assert.Equal(Enumerable.Range(1, 100).Select(i => $"m{i}"), stored.Select(m => m.Content));
        Assert.Equal(Enumerable.Range(1, 100).Select(i => (long)i), stored.Select(m => m.Seq));
        await using IChannel inspector = await connection.CreateChannelAsync(cancellationToken: cts.Token);
        BasicGetResult? deadLetter = await inspector.BasicGetAsync(MessagingTopology.DeadLetterQueueFor(_queue), autoAck: true, cts.Token);
        Assert.NotNull(deadLetter);
        Assert.Equal("{\"id\": 1}", Encoding.UTF8.GetString(deadLetter.Body.Span));
        Assert.Contains("'id'", Encoding.UTF8.GetString((byte[])deadLetter.BasicProperties.Headers![QueueNames.ReasonHeader]!), StringComparison.Ordinal);
        Assert.Equal(0u, await inspector.MessageCountAsync(_queue, cts.Token));
        await subscription.CancelAsync();
    }

    private async Task PublishAsync(IChannel channel, byte[] body, CancellationToken cancellationToken) =>
        await channel.BasicPublishAsync(string.Empty, _queue, mandatory: true, new BasicProperties { Persistent = true }, body, cancellationToken);
}
