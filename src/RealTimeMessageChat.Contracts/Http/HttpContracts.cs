using System.Text.Json;

namespace RealTimeMessageChat.Contracts.Http;

/// <summary><c>POST /api/v1/users</c> body.</summary>
public sealed record RegisterRequest
{
    public string? UserId { get; init; }

    public string? Password { get; init; }

    public string? Username { get; init; }
}

/// <summary><c>POST /api/v1/users</c> answer (201).</summary>
public sealed record RegisterResponse(string UserId);

/// <summary><c>POST /api/v1/auth/login</c> body.</summary>
public sealed record LoginRequest
{
    public string? UserId { get; init; }

    public string? Password { get; init; }
}

/// <summary><c>POST /api/v1/auth/login</c> answer (200).</summary>
public sealed record LoginResponse(string Token, DateTimeOffset ExpiresAt, string UserId);

/// <summary><c>POST /publishMessage</c> and <c>POST /api/v1/messages/send</c> body.</summary>
public sealed record PublishRequest
{
    public string? Content { get; init; }

    public string? SubId { get; init; }

    public string? Command { get; init; }

    public int? Priority { get; init; }

    public JsonElement? Metadata { get; init; }

    public Guid? MessageId { get; init; }

    /// <summary>Optional; must equal the token's subject when present (403 otherwise).</summary>
    public string? UserId { get; init; }

    /// <summary>The original's name for the sender; same rule as <see cref="UserId"/>.</summary>
    public string? Id { get; init; }
}

/// <summary>The 202 answer of a publish.</summary>
public sealed record PublishResponse(bool Success, Guid MessageId, string QueueName);
