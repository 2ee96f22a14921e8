using System.Diagnostics.CodeAnalysis;
using RealTimeMessageChat.Contracts.Storage;

namespace RealTimeMessageChat.MainServerConsumer.Consuming;

/// <summary>Either an accepted message (its <c>Seq</c> not yet assigned) or why the body was refused.</summary>
internal readonly record struct ValidationResult(ChatMessage? Message, string? Error)
{
    [MemberNotNullWhen(true, nameof(Message))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsValid => Message is not null;

    public static ValidationResult Accept(ChatMessage message) => new(message, null);

    public static ValidationResult Reject(string error) => new(null, error);
}
