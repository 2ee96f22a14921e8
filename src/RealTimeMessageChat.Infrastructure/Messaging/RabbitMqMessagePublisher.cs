using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;

namespace RealTimeMessageChat.Infrastructure.Messaging;

/// <summary>
/// Publishes with publisher confirms on a small pool of channels, one publish in flight per channel.
/// RabbitMQ.Client 7.1.x lets several tasks publish on one channel, but its confirm tracking has
/// had races around cancelled publishes (rabbitmq-dotnet-client #1818, #1900); a guarded channel per
/// publish sidesteps them and a pool of a few still gives thousands of confirms a second.
/// </summary>
public sealed partial class RabbitMqMessagePublisher : IMessagePublisher, IAsyncDisposable
{
    /// <summary>Channels in the pool when none is given. Each confirm takes about a millisecond on loopback.</summary>
    public const int DefaultChannelCount = 4;

    private readonly RabbitMqConnectionProvider _connections;
    private readonly ILogger<RabbitMqMessagePublisher> _logger;
    private readonly PooledChannel[] _pool;
    private readonly ConcurrentDictionary<string, bool> _declaredQueues = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _topologyGate = new(1, 1);
    private uint _next;

    public RabbitMqMessagePublisher(RabbitMqConnectionProvider connections, ILogger<RabbitMqMessagePublisher> logger, int channelCount = DefaultChannelCount)
    {
        ArgumentNullException.ThrowIfNull(connections);
        ArgumentOutOfRangeException.ThrowIfLessThan(channelCount, 1);
        _connections = connections;
        _logger = logger;
        _pool = new PooledChannel[channelCount];
        for (int i = 0; i < channelCount; i++)
        {
            _pool[i] = new PooledChannel();
        }
    }

    public async Task PublishAsync(string queueName, ReadOnlyMemory<byte> body, string messageId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(queueName);
        ArgumentException.ThrowIfNullOrEmpty(messageId);
        PooledChannel slot = _pool[Interlocked.Increment(ref _next) % (uint)_pool.Length];
        await slot.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        Task publish = PublishOnSlotAsync(slot, queueName, body, messageId, cancellationToken);

        // The client's own publish is never cancelled (a cancelled BasicPublishAsync could upset its
        // confirm bookkeeping in 7.1.x); the caller stops waiting instead, and the slot stays busy until
        // the broker answers. Observe a late failure so it is not an unobserved task exception.
        _ = publish.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        await publish.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (PooledChannel slot in _pool)
        {
            if (slot.Channel is { } channel)
            {
                try
                {
                    await channel.CloseAsync().ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    LogChannelCloseFailed(_logger, ex);
                }

                channel.Dispose();
            }
        }

        _topologyGate.Dispose();
    }

    private async Task PublishOnSlotAsync(PooledChannel slot, string queueName, ReadOnlyMemory<byte> body, string messageId, CancellationToken cancellationToken)
    {
        try
        {
            IChannel channel = await GetChannelAsync(slot, cancellationToken).ConfigureAwait(false);
            await EnsureTopologyAsync(channel, queueName, cancellationToken).ConfigureAwait(false);
            var properties = new BasicProperties
            {
                DeliveryMode = DeliveryModes.Persistent,
                ContentType = "application/json",
                MessageId = messageId,
                Timestamp = new AmqpTimestamp(DateTimeOffset.UtcNow.ToUnixTimeSeconds()),
            };

            // mandatory: an unroutable message (queue deleted) comes back as a PublishException
            // instead of being dropped by the broker after a positive confirm.
            await channel.BasicPublishAsync(string.Empty, queueName, mandatory: true, properties, body, CancellationToken.None).ConfigureAwait(false);
            LogPublished(_logger, messageId, queueName);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogPublishFailed(_logger, messageId, queueName, ex.GetType().Name, ex.Message);
            throw;
        }
        finally
        {
            slot.Gate.Release();
        }
    }

    private async Task<IChannel> GetChannelAsync(PooledChannel slot, CancellationToken cancellationToken)
    {
        // Automatic recovery reopens channels after a connection loss; a channel closed by the broker
        // for a channel-level error (a failed declare) stays closed and is replaced here.
        if (slot.Channel is { IsClosed: false } open)
        {
            return open;
        }

        if (slot.Channel is { } closed)
        {
            slot.Channel = null;
            closed.Dispose();
        }

        IConnection connection = await _connections.GetConnectionAsync(cancellationToken).ConfigureAwait(false);

        // No outstanding-confirmations rate limiter: with one publish per channel it could only slow us.
        var options = new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true);
        IChannel channel = await connection.CreateChannelAsync(options, cancellationToken).ConfigureAwait(false);
        slot.Channel = channel;
        return channel;
    }

    private async Task EnsureTopologyAsync(IChannel channel, string queueName, CancellationToken cancellationToken)
    {
        if (_declaredQueues.ContainsKey(queueName))
        {
            return;
        }

        await _topologyGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_declaredQueues.ContainsKey(queueName))
            {
                await MessagingTopology.DeclareAsync(channel, queueName, cancellationToken).ConfigureAwait(false);
                _declaredQueues[queueName] = true;
                LogTopologyDeclared(_logger, queueName);
            }
        }
        finally
        {
            _topologyGate.Release();
        }
    }

    private sealed class PooledChannel
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        public IChannel? Channel { get; set; }
    }
}
