namespace RealTimeMessageChat.TestUtilities.Services;

/// <summary>A PostgreSQL server, a user on it and a database that exists.</summary>
public sealed record PostgresEndpoint(string Host, int Port, string User, string Password, string Database);
