using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using RealTimeMessageChat.Contracts;
using RealTimeMessageChat.Contracts.Http;
using RealTimeMessageChat.Contracts.Messaging;
using RealTimeMessageChat.Contracts.Validation;
using RealTimeMessageChat.Infrastructure.Messaging;
using RealTimeMessageChat.Infrastructure.Rooms;
using RealTimeMessageChat.Infrastructure.Sessions;
using RealTimeMessageChat.Infrastructure.Storage;
using RealTimeMessageChat.RestApi.Endpoints;
using RealTimeMessageChat.RestApi.Options;
using RealTimeMessageChat.RestApi.Problems;

namespace RealTimeMessageChat.RestApi.Publishing;

/// <summary>
/// What every publishing endpoint does with a valid body: the content's size, the sender named in
/// the body, the sender's ban flags, room membership, then the broker's confirm. Shared by
/// <c>POST /publishMessage</c> (and its alias) and <c>POST /api/v1/messages/direct</c>.
/// </summary>
internal sealed class MessageAcceptor(
    IOptions<RestApiOptions> options,
    SenderStatusCache senders,
    IRoomMembership membership,
    IRoomRepository rooms,
    IMessagePublisher publisher,
    RestApiMetrics metrics,
    TimeProvider timeProvider,
    ILoggerFactory loggerFactory)
{
    private static readonly JsonElement EmptyMetadata = JsonDocument.Parse("{}").RootElement.Clone();

    private readonly ILogger _logger = loggerFactory.CreateLogger(EndpointLog.Category);

    /// <summary>The 202 answer, or the problem that refused <paramref name="body"/> (already checked by <c>RequestValidator.ValidatePublish</c>).</summary>
    public async Task<(PublishResponse? Accepted, ProblemHttpResult? Refused)> AcceptAsync(string sender, PublishRequest body, CancellationToken requestAborted)
    {
        RestApiOptions o = options.Value;
        if (MessageRules.ContentSizeError(body.Content!, o.MaxContentBytes) is { } sizeError)
        {
            return (null, ApiProblems.PayloadTooLarge($"content {sizeError}."));
        }

        if ((body.UserId is not null && body.UserId != sender) || (body.Id is not null && body.Id != sender))
        {
            EndpointLog.PublishRefused(_logger, sender, "body names another sender");
            return (null, ApiProblems.SenderMismatch());
        }

        string room = body.SubId ?? string.Empty;
        try
        {
            UserAccount? account = await senders.FindAsync(sender, requestAborted);
            if (account is null)
            {
                return (null, ApiProblems.Unauthorized("The token's user no longer exists."));
            }

            if (account.IsBanned || account.IsChatBanned)
            {
                EndpointLog.PublishRefused(_logger, sender, account.IsBanned ? "banned" : "chat-banned");
                return (null, account.IsBanned ? ApiProblems.UserBanned() : ApiProblems.ChatBanned());
            }

            // The cached answer first; only a refusal asks whether the room exists at all (404 or 403).
            if (!await membership.IsMemberAsync(room, sender, requestAborted))
            {
                bool exists = await rooms.FindAsync(room, requestAborted) is not null;
                EndpointLog.PublishRefused(_logger, sender, exists ? $"not a member of room {room}" : $"no room {room}");
                return (null, exists ? ApiProblems.NotRoomMember(room, "sub_id") : ApiProblems.RoomNotFound(room, "sub_id"));
            }
        }
        catch (DbException ex)
        {
            EndpointLog.DatabaseFailed(_logger, ex.GetType().Name, ex.Message);
            return (null, ApiProblems.DatabaseUnavailable());
        }

        Guid messageId = body.MessageId ?? Guid.NewGuid();
        byte[] queueBody = JsonSerializer.SerializeToUtf8Bytes(
            BuildQueuedMessage(sender, body, messageId, timeProvider.GetUtcNow()), ContractsJsonContext.Default.QueuedMessage);

        long started = timeProvider.GetTimestamp();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(requestAborted);
        timeout.CancelAfter(TimeSpan.FromMilliseconds(o.PublishConfirmTimeoutMs));
        try
        {
            await publisher.PublishAsync(o.PublishQueueName, queueBody, messageId.ToString(), timeout.Token);
        }
        catch (OperationCanceledException) when (requestAborted.IsCancellationRequested)
        {
            // The client went away; nobody is left to answer.
            throw;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A nack, a return, an unreachable broker and a confirm timeout all mean the same to the
            // client: not accepted, retry with the same message_id.
            metrics.PublishFailed();
            string reason = ex is OperationCanceledException ? $"no confirm within {o.PublishConfirmTimeoutMs} ms" : ex.Message;
            EndpointLog.PublishFailed(_logger, messageId, sender, ex.GetType().Name, reason);
            return (null, ApiProblems.BrokerUnavailable());
        }

        metrics.Published(timeProvider.GetElapsedTime(started));
        EndpointLog.MessageAccepted(_logger, messageId, sender, o.PublishQueueName);
        return (new PublishResponse(true, messageId, o.PublishQueueName), null);
    }

    /// <summary>The queue body exactly as CONTRACT.md's "RabbitMQ" section shows it.</summary>
    internal static QueuedMessage BuildQueuedMessage(string sender, PublishRequest request, Guid messageId, DateTimeOffset now) => new()
    {
        Id = sender,
        SubId = request.SubId ?? string.Empty,
        PublisherInformation = new PublisherInformation
        {
            MessageId = messageId,
            Source = QueueNames.RestApiSource,
            Priority = request.Priority ?? MessageRules.DefaultPriority,
            Metadata = request.Metadata is { ValueKind: JsonValueKind.Object } metadata ? metadata : EmptyMetadata,
            CreatedAt = now.ToUnixTimeSeconds(),
        },
        Message = new QueuedMessageBody
        {
            Command = string.IsNullOrEmpty(request.Command) ? ChatCommands.SendBroadcastMessage : request.Command,
            Content = request.Content,
            Timestamp = now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        },
    };
}
