using System.Data.Common;
using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using RealTimeMessageChat.Contracts;
using RealTimeMessageChat.Contracts.Http;
using RealTimeMessageChat.Contracts.Messaging;
using RealTimeMessageChat.Contracts.Validation;
using RealTimeMessageChat.Infrastructure.Messaging;
using RealTimeMessageChat.Infrastructure.Storage;
using RealTimeMessageChat.Infrastructure.Sessions;
using RealTimeMessageChat.RestApi.Options;
using RealTimeMessageChat.RestApi.Problems;
using RealTimeMessageChat.RestApi.Validation;
using RealTimeMessageChat.RestApi.OpenApi;

namespace RealTimeMessageChat.RestApi.Endpoints;

/// <summary>
/// <c>POST /publishMessage</c> (the original's path) and <c>POST /api/v1/messages/send</c>: queue a
/// message for broadcast, answering 202 only after the broker confirmed it.
/// </summary>
internal static class MessageEndpoints
{
    public const string RateLimitPolicy = "per-user";

    private static readonly JsonElement EmptyMetadata = JsonDocument.Parse("{}").RootElement.Clone();

    public static IEndpointRouteBuilder MapMessageEndpoints(this IEndpointRouteBuilder endpoints)
    {
        RouteGroupBuilder group = endpoints.MapGroup(string.Empty).RequireAuthorization().RequireRateLimiting(RateLimitPolicy);
        group.MapPost("/publishMessage", PublishAsync).WithName("PublishMessage").DescribePublish("Queue a message for broadcast (the original's path)");
        group.MapPost("/api/v1/messages/send", PublishAsync).WithName("SendMessage").DescribePublish("Queue a message for broadcast");
        return endpoints;
    }

    internal static async Task<Results<JsonHttpResult<PublishResponse>, ProblemHttpResult>> PublishAsync(
        HttpContext context,
        IOptions<RestApiOptions> options,
        SenderStatusCache senders,
        IMessagePublisher publisher,
        RestApiMetrics metrics,
        TimeProvider timeProvider,
        ILoggerFactory loggerFactory)
    {
        RestApiOptions o = options.Value;
        CancellationToken requestAborted = context.RequestAborted;
        string? sender = context.User.FindFirstValue(JwtRegisteredClaimNames.Sub);
        if (string.IsNullOrEmpty(sender))
        {
            return ApiProblems.Unauthorized("The token has no subject.");
        }

        (PublishRequest? body, ProblemHttpResult? problem) = await JsonBodyReader.ReadValidAsync(
            context.Request, ContractsJsonContext.Default.PublishRequest, o.MaxBodyBytes, RequestValidator.ValidatePublish, requestAborted);
        if (problem is not null)
        {
            return problem;
        }

        if (MessageRules.ContentSizeError(body!.Content!, o.MaxContentBytes) is { } sizeError)
        {
            return ApiProblems.PayloadTooLarge($"content {sizeError}.");
        }

        ILogger logger = loggerFactory.CreateLogger(EndpointLog.Category);
        if ((body.UserId is not null && body.UserId != sender) || (body.Id is not null && body.Id != sender))
        {
            EndpointLog.PublishRefused(logger, sender, "body names another sender");
            return ApiProblems.SenderMismatch();
        }

        UserAccount? account;
        try
        {
            account = await senders.FindAsync(sender, requestAborted);
        }
        catch (DbException ex)
        {
            EndpointLog.DatabaseFailed(logger, ex.GetType().Name, ex.Message);
            return ApiProblems.DatabaseUnavailable();
        }

        if (account is null)
        {
            return ApiProblems.Unauthorized("The token's user no longer exists.");
        }

        if (account.IsBanned || account.IsChatBanned)
        {
            EndpointLog.PublishRefused(logger, sender, account.IsBanned ? "banned" : "chat-banned");
            return account.IsBanned ? ApiProblems.UserBanned() : ApiProblems.ChatBanned();
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
            EndpointLog.PublishFailed(logger, messageId, sender, ex.GetType().Name, reason);
            return ApiProblems.BrokerUnavailable();
        }

        metrics.Published(timeProvider.GetElapsedTime(started));
        EndpointLog.MessageAccepted(logger, messageId, sender, o.PublishQueueName);
        return TypedResults.Json(
            new PublishResponse(true, messageId, o.PublishQueueName), ContractsJsonContext.Default.PublishResponse, statusCode: StatusCodes.Status202Accepted);
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
