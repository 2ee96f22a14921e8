namespace RealTimeMessageChat.Contracts.Messaging;

/// <summary>RabbitMQ names shared by the publisher (RestApi) and the consumer (MainServerConsumer).</summary>
public static class QueueNames
{
    /// <summary>The original system's queue: durable, persistent messages, default exchange.</summary>
    public const string Broadcast = "message_broadcast_queue";

    /// <summary>Where messages that can never be processed go, with the reason in <see cref="ReasonHeader"/>.</summary>
    public const string DeadLetter = "message_broadcast_queue.dead_letter";

    /// <summary>Header carrying why a message was dead-lettered.</summary>
    public const string ReasonHeader = "x-rtmc-dead-letter-reason";

    /// <summary>The <c>source</c> the RestApi writes into <c>publisher_information</c>.</summary>
    public const string RestApiSource = "restapi";
}
