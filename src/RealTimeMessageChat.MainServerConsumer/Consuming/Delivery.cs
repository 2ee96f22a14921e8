namespace RealTimeMessageChat.MainServerConsumer.Consuming;

/// <summary>
/// One message taken off the queue. <paramref name="Body"/> is a copy (the client reuses its buffer
/// once the handler returns); <paramref name="Source"/> identifies the channel it came on, because a
/// delivery tag means something only on that channel.
/// </summary>
internal sealed record Delivery(ulong DeliveryTag, ReadOnlyMemory<byte> Body, bool Redelivered, object? Source);
