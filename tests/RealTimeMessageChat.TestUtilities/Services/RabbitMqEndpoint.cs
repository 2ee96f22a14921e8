namespace RealTimeMessageChat.TestUtilities.Services;

/// <summary>A RabbitMQ broker's AMQP listener and a user with access to the default virtual host.</summary>
public sealed record RabbitMqEndpoint(string Host, int Port, string User, string Password);
