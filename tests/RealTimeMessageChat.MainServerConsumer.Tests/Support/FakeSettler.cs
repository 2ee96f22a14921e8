using RealTimeMessageChat.MainServerConsumer.Consuming;

namespace RealTimeMessageChat.MainServerConsumer.Tests.Support;

/// <summary>Records every settlement, in order, as text ("ack 3 multiple", "dead-letter 2: reason", "reject 2").</summary>
internal sealed class FakeSettler(FakeMessageLog? log = null) : IDeliverySettler
{
    public List<string> Events { get; } = [];

    /// <summary>How many messages the log held in room "" at each ack: proves acks come after the write.</summary>
    public List<int> StoredAtAck { get; } = [];

    public bool DeadLetterSucceeds { get; set; } = true;

    public Task AckAsync(Delivery delivery, bool multiple, CancellationToken cancellationToken)
    {
        Events.Add($"ack {delivery.DeliveryTag}{(multiple ? " multiple" : string.Empty)}");
        StoredAtAck.Add(log?.Messages(string.Empty).Count ?? 0);
        return Task.CompletedTask;
    }

    public Task<bool> DeadLetterAsync(Delivery delivery, string reason, CancellationToken cancellationToken)
    {
        Events.Add($"dead-letter {delivery.DeliveryTag}: {reason}");
        return Task.FromResult(DeadLetterSucceeds);
    }

    public Task RejectAsync(Delivery delivery, CancellationToken cancellationToken)
    {
        Events.Add($"reject {delivery.DeliveryTag}");
        return Task.CompletedTask;
    }
}
