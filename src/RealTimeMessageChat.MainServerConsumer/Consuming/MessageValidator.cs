using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using RealTimeMessageChat.Contracts.Messaging;
using RealTimeMessageChat.Contracts.Storage;
using RealTimeMessageChat.Contracts.Validation;
using RealTimeMessageChat.MainServerConsumer.Options;

namespace RealTimeMessageChat.MainServerConsumer.Consuming;

/// <summary>
/// Checks a queue body (CONTRACT.md, "RabbitMQ") with the original consumer's rules and turns it
/// into a <see cref="ChatMessage"/>. Reads the JSON by hand rather than binding
/// <c>QueuedMessage</c> so every refusal names the field that caused it.
/// </summary>
/// <remarks>
/// Text containing U+0000 is refused: PostgreSQL <c>text</c> and <c>jsonb</c> cannot hold it, and a
/// row the persister can never write would stop persistence of the whole room.
/// </remarks>
internal sealed class MessageValidator(IOptions<ConsumerOptions> options, TimeProvider timeProvider)
{
    public ValidationResult Validate(ReadOnlyMemory<byte> body)
    {
        ConsumerOptions o = options.Value;
        try
        {
            using JsonDocument document = JsonDocument.Parse(body);
            return Validate(document.RootElement, o);
        }
        catch (JsonException ex)
        {
            return ValidationResult.Reject($"invalid JSON: {ex.Message}");
        }
        catch (InvalidOperationException ex)
        {
            // GetString() on a string holding an unpaired surrogate escape.
            return ValidationResult.Reject($"invalid string: {ex.Message}");
        }
    }

    private ValidationResult Validate(JsonElement root, ConsumerOptions o)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return ValidationResult.Reject("body is not a JSON object");
        }

        if (!root.TryGetProperty("id", out JsonElement idElement) || idElement.ValueKind != JsonValueKind.String)
        {
            return ValidationResult.Reject("'id' must be a string");
        }

        string sender = idElement.GetString()!;
        if (!MessageRules.IsValidUserId(sender))
        {
            return ValidationResult.Reject("'id' must match [A-Za-z0-9_-]{1,64}");
        }

        string subId = string.Empty;
        if (root.TryGetProperty("sub_id", out JsonElement subIdElement) && subIdElement.ValueKind != JsonValueKind.Null)
        {
            if (subIdElement.ValueKind != JsonValueKind.String)
            {
                return ValidationResult.Reject("'sub_id' must be a string");
            }

            subId = subIdElement.GetString()!;
            if (MessageRules.SubIdError(subId, o.MaxSubIdLength) is { } subIdError)
            {
                return ValidationResult.Reject($"'sub_id' {subIdError}");
            }
        }

        if (!root.TryGetProperty("message", out JsonElement message) || message.ValueKind != JsonValueKind.Object)
        {
            return ValidationResult.Reject("'message' must be an object");
        }

        if (!message.TryGetProperty("content", out JsonElement contentElement) || contentElement.ValueKind != JsonValueKind.String)
        {
            return ValidationResult.Reject("'message.content' must be a string");
        }

        string content = contentElement.GetString()!;
        if (MessageRules.ContentError(content) is { } contentError)
        {
            return ValidationResult.Reject($"'message.content' {contentError}");
        }

        if (MessageRules.ContentSizeError(content, o.MaxContentBytes) is { } sizeError)
        {
            return ValidationResult.Reject($"'message.content' {sizeError}");
        }

        string command = ChatCommands.SendBroadcastMessage;
        if (message.TryGetProperty("command", out JsonElement commandElement) && commandElement.ValueKind != JsonValueKind.Null)
        {
            if (commandElement.ValueKind != JsonValueKind.String)
            {
                return ValidationResult.Reject("'message.command' must be a string");
            }

            command = commandElement.GetString()!;
            if (MessageRules.CommandError(command) is { } commandError)
            {
                return ValidationResult.Reject($"'message.command' {commandError}");
            }
        }

        if (!root.TryGetProperty("publisher_information", out JsonElement publisher) || publisher.ValueKind != JsonValueKind.Object)
        {
            return ValidationResult.Reject("'publisher_information' must be an object");
        }

        if (!publisher.TryGetProperty("message_id", out JsonElement messageIdElement)
            || messageIdElement.ValueKind != JsonValueKind.String
            || !Guid.TryParse(messageIdElement.GetString(), out Guid messageId))
        {
            return ValidationResult.Reject("'publisher_information.message_id' must be a UUID");
        }

        if (MessageRules.MessageIdError(messageId) is { } messageIdError)
        {
            return ValidationResult.Reject($"'publisher_information.message_id' {messageIdError}");
        }

        int priority = MessageRules.DefaultPriority;
        if (publisher.TryGetProperty("priority", out JsonElement priorityElement) && priorityElement.ValueKind != JsonValueKind.Null)
        {
            if (priorityElement.ValueKind != JsonValueKind.Number || !priorityElement.TryGetInt32(out priority))
            {
                return ValidationResult.Reject("'publisher_information.priority' must be an integer");
            }

            if (MessageRules.PriorityError(priority) is { } priorityError)
            {
                return ValidationResult.Reject($"'publisher_information.priority' {priorityError}");
            }
        }

        string metadata = "{}";
        if (publisher.TryGetProperty("metadata", out JsonElement metadataElement) && metadataElement.ValueKind != JsonValueKind.Null)
        {
            if (MessageRules.MetadataError(metadataElement) is { } metadataError)
            {
                return ValidationResult.Reject($"'publisher_information.metadata' {metadataError}");
            }

            metadata = metadataElement.GetRawText();
        }

        return ValidationResult.Accept(new ChatMessage
        {
            MessageId = messageId,
            Seq = 0,
            SenderId = sender,
            SubId = subId,
            Command = command,
            Content = content,
            Priority = priority,
            MetadataJson = metadata,
            CreatedAt = ReadCreatedAt(message, publisher),
        });
    }

    /// <summary><c>message.timestamp</c> (RFC 3339, finer), else <c>publisher_information.created_at</c> (unix seconds), else now.</summary>
    private DateTimeOffset ReadCreatedAt(JsonElement message, JsonElement publisher)
    {
        if (message.TryGetProperty("timestamp", out JsonElement timestamp)
            && timestamp.ValueKind == JsonValueKind.String
            && DateTimeOffset.TryParse(timestamp.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset parsed))
        {
            return parsed.ToUniversalTime();
        }

        if (publisher.TryGetProperty("created_at", out JsonElement createdAt)
            && createdAt.ValueKind == JsonValueKind.Number
            && createdAt.TryGetInt64(out long seconds)
            && seconds is > 0 and < 253_402_300_800)
        {
            return DateTimeOffset.FromUnixTimeSeconds(seconds);
        }

        return timeProvider.GetUtcNow();
    }
}
