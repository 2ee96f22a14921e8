using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;

namespace RealTimeMessageChat.Infrastructure.Messaging;

/// <summary>
/// Publishes with publisher confirms, many in flight on each of a few channels: RabbitMQ.Client 7
/// tracks every outstanding confirm of a channel and completes each <c>BasicPublishAsync</c> when
/// the broker confirms that message, so throughput is the window ÷ the confirm latency, not one
/// message per channel per round trip. One window (<see cref="DefaultMaxInFlight"/>) bounds the
/// publishes awaiting a confirm across all channels; beyond it a publish waits for a free place.
/// </summary>
public sealed partial class RabbitMqMessagePublisher : IMessagePublisher, IAsyncDisposable
{
    /// <summary>Channels when none is given: the connection's socket, not the channel, is the limit past two.</summary>
    public const int DefaultChannelCount = 2;

    /// <summary>Publishes awaiting a confirm at once when none is given.</summary>
    public const int DefaultMaxInFlight = 4096;

    private readonly RabbitMqConnectionProvider _connections;
    private readonly ILogger<RabbitMqMessagePublisher> _logger;
    private readonly PublisherChannel[] _channels;
    private readonly SemaphoreSlim _window;
    private readonly ConcurrentDictionary<string, bool> _declaredQueues = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _topologyGate = new(1, 1);
    private uint _next;

    public RabbitMqMessagePublisher(
        RabbitMqConnectionProvider connections,
        ILogger<RabbitMqMessagePublisher> logger,
        int channelCount = DefaultChannelCount,
        int maxInFlight = DefaultMaxInFlight)
    {
        ArgumentNullException.ThrowIfNull(connections);
        ArgumentOutOfRangeException.ThrowIfLessThan(channelCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxInFlight, 1);
        _connections = connections;
        _logger = logger;
        _window = new SemaphoreSlim(maxInFlight, maxInFlight);
        _channels = new PublisherChannel[channelCount];
        for (int i = 0; i < channelCount; i++)
        {
            _channels[i] = new PublisherChannel();
        }
    }

    public async Task PublishAsync(string queueName, ReadOnlyMemory<byte> body, string messageId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(queueName);
        ArgumentException.ThrowIfNullOrEmpty(messageId);
        await _window.WaitAsync(cancellationToken).ConfigureAwait(false);
        Task publish;
        try
        {
            PublisherChannel slot = _channels[Interlocked.Increment(ref _next) % (uint)_channels.Length];
            publish = PublishOnChannelAsync(slot, queueName, body, messageId, cancellationToken);
        }
        catch
        {
            _window.Release();
            throw;
        }

        // The client's own publish is never cancelled: a publish cancelled between its frames and the
        // broker's confirm leaves the channel's confirm bookkeeping to guess. The caller stops waiting
        // instead (503 after publish_confirm_timeout_ms) while its place in the window stays taken
        // until the broker answers. Observe a late failure so it is not an unobserved task exception.
        _ = publish.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        await publish.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (PublisherChannel slot in _channels)
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

            slot.CreateGate.Dispose();
        }

        _topologyGate.Dispose();
        _window.Dispose();
    }

    private async Task PublishOnChannelAsync(PublisherChannel slot, string queueName, ReadOnlyMemory<byte> body, string messageId, CancellationToken cancellationToken)
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
            _window.Release();
        }
    }

    private async ValueTask<IChannel> GetChannelAsync(PublisherChannel slot, CancellationToken cancellationToken)
    {
        // Automatic recovery reopens channels after a connection loss; a channel closed by the broker
        // for a channel-level error (a failed declare) stays closed and is replaced here, once.
        if (slot.Channel is { IsClosed: false } open)
        {
            return open;
        }

        await slot.CreateGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (slot.Channel is { IsClosed: false } reopened)
            {
                return reopened;
            }

            if (slot.Channel is { } closed)
            {
                slot.Channel = null;
                closed.Dispose();
            }

            IConnection connection = await _connections.GetConnectionAsync(cancellationToken).ConfigureAwait(false);

            // No rate limiter of the client's: its default (128 outstanding, throttled from 64 with
            // delays) capped publishing at a few hundred a second here (ENVIRONMENT.md). Our own
            // window bounds what is outstanding.
            var options = new CreateChannelOptions(
                publisherConfirmationsEnabled: true,
                publisherConfirmationTrackingEnabled: true,
                outstandingPublisherConfirmationsRateLimiter: null);
            IChannel channel = await connection.CreateChannelAsync(options, cancellationToken).ConfigureAwait(false);
            slot.Channel = channel;
            return channel;
        }
        finally
        {
            slot.CreateGate.Release();
        }
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

    private sealed class PublisherChannel
    {
        public SemaphoreSlim CreateGate { get; } = new(1, 1);

        public volatile IChannel? Channel;
    }
}
