using System.Threading.Channels;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;
using RealTimeMessageChat.Infrastructure.Messaging;
using RealTimeMessageChat.MainServerConsumer.Options;

namespace RealTimeMessageChat.MainServerConsumer.Consuming;

/// <summary>
/// Consumes the broadcast queue on one channel (manual acks, prefetch <c>prefetch_count</c>) and
/// feeds a single processing loop through a bounded in-process queue, so batches are processed
/// strictly in delivery order.
/// </summary>
/// <remarks>
/// The client's automatic recovery reopens the connection and this channel's consumer after a
/// broker restart. A channel the broker closed on its own (a channel error, the connection still
/// up) is not recovered by the client: this service then opens a new one after
/// <c>reconnect_interval_sec</c>. Deliveries still buffered from a dead channel are processed (the
/// Redis append is idempotent) but cannot be acknowledged; the broker redelivers them as duplicates.
/// </remarks>
internal sealed partial class RabbitMqConsumerService(
    RabbitMqConnectionProvider rabbit,
    BatchProcessor processor,
    IOptions<ConsumerOptions> options,
    IOptions<RabbitMqOptions> rabbitOptions,
    ILogger<RabbitMqConsumerService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        ConsumerOptions o = options.Value;
        TimeSpan reconnectInterval = TimeSpan.FromSeconds(rabbitOptions.Value.ReconnectIntervalSeconds);
        Channel<Delivery> deliveries = Channel.CreateBounded<Delivery>(new BoundedChannelOptions(o.PrefetchCount)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        Task processing = Task.Run(() => ProcessLoopAsync(deliveries.Reader, o.BatchSize, TimeSpan.FromMilliseconds(o.BatchLingerMs), stoppingToken), CancellationToken.None);

        IChannel? channel = null;
        string? consumerTag = null;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    channel = await OpenChannelAsync(stoppingToken);
                    consumerTag = await StartConsumerAsync(channel, deliveries.Writer, o, stoppingToken);
                    LogConsuming(logger, o.ConsumeQueueName, o.PrefetchCount, o.BatchSize);
                    await WaitUntilChannelDeadAsync(await rabbit.GetConnectionAsync(stoppingToken), channel, reconnectInterval, stoppingToken);
                    LogChannelLost(logger, reconnectInterval.TotalSeconds);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception ex)
                {
                    LogConsumeFailed(logger, reconnectInterval.TotalSeconds, ex);
                }

                await DisposeChannelAsync(channel);
                channel = null;
                consumerTag = null;
                try
                {
                    await Task.Delay(reconnectInterval, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
        finally
        {
            // Stop new deliveries first, then let the batch in flight finish and be acknowledged
            // on the still-open channel; whatever stays unacknowledged is redelivered after close.
            await CancelConsumerAsync(channel, consumerTag);
            deliveries.Writer.TryComplete();
            await processing;
            await DisposeChannelAsync(channel);
            LogStopped(logger);
        }
    }

    private async Task<IChannel> OpenChannelAsync(CancellationToken cancellationToken)
    {
        IConnection connection = await rabbit.GetConnectionAsync(cancellationToken);
        IChannel channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        channel.ChannelShutdownAsync += (_, args) =>
        {
            if (!cancellationToken.IsCancellationRequested)
            {
                LogChannelShutdown(logger, args.ReplyCode, args.ReplyText);
            }

            return Task.CompletedTask;
        };
        return channel;
    }

    private async Task<string> StartConsumerAsync(IChannel channel, ChannelWriter<Delivery> writer, ConsumerOptions o, CancellationToken stoppingToken)
    {
        await MessagingTopology.DeclareAsync(channel, o.ConsumeQueueName, stoppingToken);
        await channel.BasicQosAsync(prefetchSize: 0, prefetchCount: (ushort)o.PrefetchCount, global: false, stoppingToken);
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += async (_, args) =>
        {
            // The body's memory belongs to the client and is reused once this handler returns.
            var delivery = new Delivery(args.DeliveryTag, args.Body.ToArray(), args.Redelivered, channel);
            try
            {
                await writer.WriteAsync(delivery, stoppingToken);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ChannelClosedException)
            {
                // Shutting down: left unacknowledged, so the broker redelivers it.
            }
        };
        return await channel.BasicConsumeAsync(o.ConsumeQueueName, autoAck: false, consumer, stoppingToken);
    }

    /// <summary>
    /// Returns when the channel is closed for good: closed twice in a row while the connection is
    /// open. While the connection itself is down, automatic recovery owns the channel.
    /// </summary>
    private static async Task WaitUntilChannelDeadAsync(IConnection connection, IChannel channel, TimeSpan interval, CancellationToken cancellationToken)
    {
        int closedChecks = 0;
        while (true)
        {
            await Task.Delay(interval, cancellationToken);
            closedChecks = channel.IsClosed && connection.IsOpen ? closedChecks + 1 : 0;
            if (closedChecks >= 2)
            {
                return;
            }
        }
    }

    private async Task ProcessLoopAsync(ChannelReader<Delivery> reader, int batchSize, TimeSpan linger, CancellationToken stoppingToken)
    {
        var batch = new List<Delivery>(batchSize);
        int previousCount = 0;
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken))
            {
                Drain(reader, batch, batchSize);

                // Under load (the previous batch held more than one message) wait a moment for
                // more: fewer, larger batches cost Redis, the MainServer and the broker's acks less
                // per message. A lone message (light traffic) goes at once, so latency there is untouched.
                if (previousCount > 1 && batch.Count < batchSize && linger > TimeSpan.Zero)
                {
                    await Task.Delay(linger, stoppingToken);
                    Drain(reader, batch, batchSize);
                }

                previousCount = batch.Count;

                try
                {
                    await processor.ProcessAsync(batch, stoppingToken);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex)
                {
                    LogBatchFailed(logger, batch.Count, ex);
                }

                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Buffered deliveries stay unacknowledged: redelivered to the next consumer.
        }
    }

    private static void Drain(ChannelReader<Delivery> reader, List<Delivery> batch, int batchSize)
    {
        while (batch.Count < batchSize && reader.TryRead(out Delivery? delivery))
        {
            batch.Add(delivery);
        }
    }

    private async Task CancelConsumerAsync(IChannel? channel, string? consumerTag)
    {
        if (channel is not { IsOpen: true } || consumerTag is null)
        {
            return;
        }

        try
        {
            await channel.BasicCancelAsync(consumerTag, noWait: false, CancellationToken.None);
        }
        catch (Exception ex) when (ex is AlreadyClosedException or OperationInterruptedException or TimeoutException or ObjectDisposedException)
        {
            LogCloseFailed(logger, ex.Message);
        }
    }

    private async Task DisposeChannelAsync(IChannel? channel)
    {
        if (channel is null)
        {
            return;
        }

        try
        {
            if (channel.IsOpen)
            {
                await channel.CloseAsync();
            }
        }
        catch (Exception ex) when (ex is AlreadyClosedException or OperationInterruptedException or TimeoutException or ObjectDisposedException)
        {
            LogCloseFailed(logger, ex.Message);
        }

        channel.Dispose();
    }
}
