using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using RealTimeMessageChat.Contracts.Messaging;
using RealTimeMessageChat.Infrastructure.Messaging;
using RealTimeMessageChat.MainServerConsumer.Options;

namespace RealTimeMessageChat.MainServerConsumer.Consuming;

/// <summary>
/// Settles deliveries on the channel they came from, and publishes dead letters on a separate
/// channel with publisher confirms (so "dead-lettered" means the broker has it before we ack).
/// </summary>
internal sealed partial class RabbitMqDeliverySettler(
    RabbitMqConnectionProvider rabbit,
    IOptions<ConsumerOptions> options,
    ILogger<RabbitMqDeliverySettler> logger) : IDeliverySettler, IAsyncDisposable
{
    private readonly SemaphoreSlim _publishGate = new(1, 1);
    private IChannel? _confirmChannel;

    public async Task AckAsync(Delivery delivery, bool multiple, CancellationToken cancellationToken)
    {
        if (delivery.Source is not IChannel channel || channel.IsClosed)
        {
            // Its channel is gone: the broker has already put the message back, and the redelivery
            // will come back as a duplicate.
            LogSettleSkipped(logger, delivery.DeliveryTag);
            return;
        }

        try
        {
            await channel.BasicAckAsync(delivery.DeliveryTag, multiple, cancellationToken);
        }
        catch (AlreadyClosedException ex)
        {
            LogSettleFailed(logger, delivery.DeliveryTag, ex.Message);
        }
    }

    public async Task RejectAsync(Delivery delivery, CancellationToken cancellationToken)
    {
        if (delivery.Source is not IChannel channel || channel.IsClosed)
        {
            LogSettleSkipped(logger, delivery.DeliveryTag);
            return;
        }

        try
        {
            await channel.BasicNackAsync(delivery.DeliveryTag, multiple: false, requeue: false, cancellationToken);
        }
        catch (AlreadyClosedException ex)
        {
            LogSettleFailed(logger, delivery.DeliveryTag, ex.Message);
        }
    }

    public async Task<bool> DeadLetterAsync(Delivery delivery, string reason, CancellationToken cancellationToken)
    {
        string queue = MessagingTopology.DeadLetterQueueFor(options.Value.ConsumeQueueName);
        var properties = new BasicProperties
        {
            Persistent = true,
            ContentType = "application/json",
            Headers = new Dictionary<string, object?> { [QueueNames.ReasonHeader] = reason },
        };

        await _publishGate.WaitAsync(cancellationToken);
        try
        {
            IChannel channel = await GetConfirmChannelAsync(cancellationToken);
            await channel.BasicPublishAsync(string.Empty, queue, mandatory: true, properties, delivery.Body, cancellationToken);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogDeadLetterFailed(logger, delivery.DeliveryTag, ex.Message);
            return false;
        }
        finally
        {
            _publishGate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_confirmChannel is { } channel)
        {
            try
            {
                if (channel.IsOpen)
                {
                    await channel.CloseAsync();
                }

                channel.Dispose();
            }
            catch (Exception ex) when (ex is AlreadyClosedException or OperationInterruptedException or ObjectDisposedException)
            {
                LogConfirmChannelCloseFailed(logger, ex.Message);
            }
        }

        _publishGate.Dispose();
    }

    private async Task<IChannel> GetConfirmChannelAsync(CancellationToken cancellationToken)
    {
        if (_confirmChannel is { IsOpen: true } open)
        {
            return open;
        }

        _confirmChannel?.Dispose();
        _confirmChannel = null;
        IConnection connection = await rabbit.GetConnectionAsync(cancellationToken);
        _confirmChannel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true),
            cancellationToken);
        return _confirmChannel;
    }

    [LoggerMessage(EventId = 3200, Level = LogLevel.Debug, Message = "Delivery {DeliveryTag} not settled: its channel is closed; the broker redelivers it")]
    private static partial void LogSettleSkipped(ILogger logger, ulong deliveryTag);

    [LoggerMessage(EventId = 3201, Level = LogLevel.Information, Message = "Settling delivery {DeliveryTag} failed: {Reason}; the broker redelivers it")]
    private static partial void LogSettleFailed(ILogger logger, ulong deliveryTag, string reason);

    [LoggerMessage(EventId = 3203, Level = LogLevel.Debug, Message = "Closing the dead-letter channel failed: {Reason}")]
    private static partial void LogConfirmChannelCloseFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 3202, Level = LogLevel.Warning, Message = "Dead-letter publish of delivery {DeliveryTag} failed: {Reason}")]
    private static partial void LogDeadLetterFailed(ILogger logger, ulong deliveryTag, string reason);
}
