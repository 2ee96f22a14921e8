using System.Buffers.Binary;
using System.Diagnostics;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;
using RealTimeMessageChat.Bench.Measure;
using RealTimeMessageChat.Bench.Report;
using RealTimeMessageChat.Bench.Runner;

namespace RealTimeMessageChat.Bench.Broker;

/// <summary>
/// The broker alone, the ceiling of the publish path: RabbitMQ.Client publishing persistent 256 B
/// messages to a durable queue with 512 confirms in flight on one channel, and one consumer with
/// manual acks on another connection. Its own queue, deleted after.
/// </summary>
internal static class BrokerAloneBench
{
    private const int Size = 256;
    private const int InFlight = 512;
    private const string Queue = "rtmc_bench_broker_alone";

    public static async Task RunAsync(BenchContext context, double seconds, CancellationToken cancellationToken)
    {
        Measurement result = context.Add("ref.broker", $"broker alone: persistent {Size} B, {InFlight} confirms in flight, durable queue, 1 consumer with manual acks");
        context.Progress.Begin(result.Title);
        BenchOptions options = context.Options;
        var factory = new ConnectionFactory
        {
            HostName = "127.0.0.1",
            Port = options.AmqpPort,
            UserName = options.AmqpUser,
            Password = options.AmqpPassword,
            ClientProvidedName = "rtmc-bench-broker-alone",
        };
        await using IConnection publisherConnection = await factory.CreateConnectionAsync(cancellationToken);
        await using IConnection consumerConnection = await factory.CreateConnectionAsync(cancellationToken);

        // The rate limiter sized well above the window: one equal to it throttles (ENVIRONMENT.md).
        var channelOptions = new CreateChannelOptions(
            publisherConfirmationsEnabled: true,
            publisherConfirmationTrackingEnabled: true,
            outstandingPublisherConfirmationsRateLimiter: new ThrottlingRateLimiter(InFlight * 8));
        await using IChannel publisher = await publisherConnection.CreateChannelAsync(channelOptions, cancellationToken);
        await using IChannel consumer = await consumerConnection.CreateChannelAsync(cancellationToken: cancellationToken);
        await publisher.QueueDeclareAsync(Queue, durable: true, exclusive: false, autoDelete: false, cancellationToken: cancellationToken);
        await publisher.QueuePurgeAsync(Queue, cancellationToken);

        using var endToEnd = new LatencyRecorder();
        using var confirms = new LatencyRecorder();
        long consumed = 0;
        await consumer.BasicQosAsync(0, InFlight, false, cancellationToken);
        var handler = new AsyncEventingBasicConsumer(consumer);
        handler.ReceivedAsync += async (_, delivery) =>
        {
            long stamp = BinaryPrimitives.ReadInt64LittleEndian(delivery.Body.Span);
            endToEnd.RecordSince(stamp, Stopwatch.GetTimestamp());
            Interlocked.Increment(ref consumed);
            await consumer.BasicAckAsync(delivery.DeliveryTag, multiple: false);
        };
        await consumer.BasicConsumeAsync(Queue, autoAck: false, handler, cancellationToken);

        var properties = new BasicProperties { Persistent = true };
        long published = 0, failed = 0;
        var cpu = new CpuMeter(0);
        var roles = new RoleCpuMeter(options.RedisPort);
        long start = Stopwatch.GetTimestamp(), deadline = start + (long)(seconds * Stopwatch.Frequency);
        using (context.Progress.Ticker(() => $"{Math.Min(Stopwatch.GetElapsedTime(start).TotalSeconds, seconds):F0}/{seconds:F0} s, {Interlocked.Read(ref published):N0} confirmed, {Interlocked.Read(ref consumed):N0} consumed"))
        {
            await Task.WhenAll(Enumerable.Range(0, InFlight).Select(_ => Task.Run(async () =>
            {
                var body = new byte[Size];
                while (Stopwatch.GetTimestamp() < deadline)
                {
                    long sent = Stopwatch.GetTimestamp();
                    BinaryPrimitives.WriteInt64LittleEndian(body, sent);
                    try
                    {
                        await publisher.BasicPublishAsync(string.Empty, Queue, mandatory: false, properties, body, cancellationToken);
                        confirms.RecordSince(sent, Stopwatch.GetTimestamp());
                        Interlocked.Increment(ref published);
                    }
                    catch (PublishException)
                    {
                        Interlocked.Increment(ref failed);
                    }
                }
            }, cancellationToken)));
            double publishSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            long waitUntil = Environment.TickCount64 + 30_000;
            while (Interlocked.Read(ref consumed) < published && Environment.TickCount64 < waitUntil)
            {
                await Task.Delay(5, cancellationToken);
            }

            double seconds2 = Stopwatch.GetElapsedTime(start).TotalSeconds;
            result.With(cpu.Stop()).With(endToEnd.Summarize().ToValues()).With(confirms.Summarize().ToValues("confirm"));
            result.Values["published"] = published;
            result.Values["consumed"] = Interlocked.Read(ref consumed);
            result.Values["failed"] = failed;
            result.Values["confirmed_per_s"] = published / publishSeconds;
            result.Values["msgs_per_s"] = Interlocked.Read(ref consumed) / seconds2;

            // The broker's own CPU per message here, beside the pipeline row's (its 64 publishes in flight cost it more).
            if (roles.StopPerMessage(result, Interlocked.Read(ref consumed)) is { } cpuNote)
            {
                context.Progress.Info(cpuNote);
            }
        }

        await publisher.QueueDeleteAsync(Queue, cancellationToken: cancellationToken);
        context.Progress.Info($"{result.Values["msgs_per_s"]:N0} msg/s end to end ({result.Values["confirmed_per_s"]:N0} confirmed/s), publish→consume p50 {result.Values["lat_p50_ms"]:F1} ms");
    }
}
