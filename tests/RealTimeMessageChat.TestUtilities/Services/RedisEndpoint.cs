namespace RealTimeMessageChat.TestUtilities.Services;

/// <summary>A Redis server; an empty password means none.</summary>
public sealed record RedisEndpoint(string Host, int Port, string Password);
