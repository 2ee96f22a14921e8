using System.Data.Common;
using Polly;
using RealTimeMessageChat.Contracts.Storage;
using RealTimeMessageChat.Infrastructure.Rooms;
using RealTimeMessageChat.Infrastructure.Sessions;
using RealTimeMessageChat.Infrastructure.Storage;
using RealTimeMessageChat.MainServerConsumer.Observability;

namespace RealTimeMessageChat.MainServerConsumer.Consuming;

/// <summary>
/// Turns one batch of deliveries (in delivery order) into Redis appends and broker settlements:
/// validate, check the sender is not (chat-)banned and is a member of the room, append the valid ones in one pipelined call, dead-letter the rest, then acknowledge.
/// Nothing is acknowledged before its Redis write succeeded.
/// </summary>
/// <remarks>
/// A transient failure retries the same batch in place (<see cref="MessageLogRetry"/>: 100 ms
/// doubling to 1 s, with jitter, cut short when the connection is restored) for as long as the
/// process runs: the batch is never requeued, so order is kept, and the log's de-duplication makes
/// re-running a partly applied batch safe. Only a non-transient <see cref="MessageLogException"/>
/// (a script error for a particular message) dead-letters that message.
/// </remarks>
internal sealed partial class BatchProcessor(
    IMessageLog messageLog,
    MessageValidator validator,
    IDeliverySettler settler,
    ConsumerMetrics metrics,
    TimeProvider timeProvider,
    ILogger<BatchProcessor> logger,
    SenderStatusCache? senders = null,
    IRoomMembership? rooms = null)
{
    private static readonly ResiliencePropertyKey<int> CountKey = new("rtmc.append.count");

    private readonly ResiliencePipeline _retry = MessageLogRetry.Create(
        messageLog,
        MessageLogRetry.IsTransient,
        args =>
        {
            metrics.RedisRetries.Add(1);
            int count = args.Context.Properties.GetValue(CountKey, 0);
            double delayMs = args.RetryDelay.TotalMilliseconds;
            if (args.Outcome.Exception is MessageLogException or TimeoutException or IOException)
            {
                LogRedisRetry(logger, count, args.AttemptNumber + 1, delayMs, args.Outcome.Exception.Message);
            }
            else
            {
                LogUnexpectedAppendFailure(logger, count, args.AttemptNumber + 1, delayMs, args.Outcome.Exception);
            }

            return ValueTask.CompletedTask;
        },
        timeProvider);

    /// <summary>
    /// Processes <paramref name="batch"/>. <paramref name="cancellationToken"/> only interrupts retry
    /// waits (then the batch stays unacknowledged and the broker redelivers it); settlements of work
    /// already done are not cancelled, so a shutdown still acknowledges the batch in flight.
    /// </summary>
    public async Task ProcessAsync(IReadOnlyList<Delivery> batch, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return;
        }

        metrics.Consumed.Add(batch.Count);
        var reasons = new string?[batch.Count];
        var valid = new List<ChatMessage>(batch.Count);
        var validIndexes = new List<int>(batch.Count);
        for (int i = 0; i < batch.Count; i++)
        {
            ValidationResult result = validator.Validate(batch[i].Body);
            if (result.IsValid && (await SenderRefusalAsync(result.Message.SenderId, cancellationToken)
                                   ?? await MembershipRefusalAsync(result.Message.SubId, result.Message.SenderId, cancellationToken)) is { } refusal)
            {
                reasons[i] = refusal;
            }
            else if (result.IsValid)
            {
                valid.Add(result.Message);
                validIndexes.Add(i);
            }
            else
            {
                reasons[i] = result.Error;
            }
        }

        if (valid.Count > 0)
        {
            string?[] appendErrors = await AppendWithRetryAsync(valid, cancellationToken);
            for (int k = 0; k < appendErrors.Length; k++)
            {
                reasons[validIndexes[k]] = appendErrors[k];
            }
        }

        for (int i = 0; i < batch.Count; i++)
        {
            if (reasons[i] is { } reason)
            {
                await DeadLetterAsync(batch[i], reason);
            }
        }

        await AcknowledgeAsync(batch);
    }

    /// <summary>
    /// The API checked the sender at publish time; this checks again, so a message queued a moment
    /// before a ban is dead-lettered instead of broadcast. Cached (<c>sender_status_cache_sec</c>,
    /// dropped by the moderation channel), so not a query per message. PostgreSQL unreachable:
    /// the message goes through on the API's word rather than stopping every room.
    /// </summary>
    private async ValueTask<string?> SenderRefusalAsync(string senderId, CancellationToken cancellationToken)
    {
        if (senders is null)
        {
            return null;
        }

        UserAccount? account;
        try
        {
            account = await senders.FindAsync(senderId, cancellationToken);
        }
        catch (DbException ex)
        {
            LogSenderCheckFailed(logger, senderId, ex.Message);
            return null;
        }

        return account switch
        {
            { IsBanned: true } => "sender is banned",
            { IsChatBanned: true } => "sender is chat-banned",
            _ => null,
        };
    }

    /// <summary>
    /// The API checked membership at publish time; this checks again, so a message queued a moment
    /// before its sender left or was removed is dead-lettered instead of broadcast. Cached
    /// (<c>room_membership_cache_sec</c>, dropped by the control channel); PostgreSQL unreachable:
    /// the message goes through on the API's word, as for the ban check.
    /// </summary>
    private async ValueTask<string?> MembershipRefusalAsync(string room, string senderId, CancellationToken cancellationToken)
    {
        if (rooms is null || room.Length == 0)
        {
            return null;
        }

        try
        {
            return await rooms.IsMemberAsync(room, senderId, cancellationToken) ? null : $"sender is not a member of room {room}";
        }
        catch (DbException ex)
        {
            LogMembershipCheckFailed(logger, senderId, room, ex.Message);
            return null;
        }
    }

    /// <summary>Appends in order; returns, per message, null when stored (or a duplicate) or the script error that refused it.</summary>
    private async Task<string?[]> AppendWithRetryAsync(List<ChatMessage> messages, CancellationToken cancellationToken)
    {
        var errors = new string?[messages.Count];
        IReadOnlyList<AppendResult> results;
        try
        {
            results = await RetryTransientAsync(() => messageLog.AppendBatchAsync(messages, cancellationToken), messages.Count, cancellationToken);
        }
        catch (MessageLogException ex) when (!ex.IsTransient)
        {
            // A script error for some message: redo one at a time (de-duplication makes the already
            // applied prefix come back as duplicates) to find which ones Redis refuses.
            LogBatchScriptError(logger, ex.Message);
            var individual = new AppendResult[messages.Count];
            for (int i = 0; i < messages.Count; i++)
            {
                try
                {
                    ChatMessage message = messages[i];
                    individual[i] = await RetryTransientAsync(() => messageLog.AppendAsync(message, cancellationToken), 1, cancellationToken);
                }
                catch (MessageLogException single) when (!single.IsTransient)
                {
                    errors[i] = $"redis refused the message: {single.Message}";
                    individual[i] = new AppendResult(0, false);
                }
            }

            results = individual;
        }

        for (int i = 0; i < messages.Count; i++)
        {
            if (errors[i] is not null)
            {
                continue;
            }

            if (results[i].Duplicate)
            {
                metrics.Duplicates.Add(1);
                LogDuplicate(logger, messages[i].MessageId, messages[i].SenderId, results[i].Seq);
            }
            else
            {
                metrics.Appended.Add(1);
            }
        }

        return errors;
    }

    /// <summary>
    /// Runs <paramref name="operation"/> through the retry pipeline. Cancellation (shutdown) ends the
    /// wait between attempts: the batch then stays unacknowledged and the broker redelivers it.
    /// </summary>
    private async Task<T> RetryTransientAsync<T>(Func<Task<T>> operation, int count, CancellationToken cancellationToken)
    {
        ResilienceContext context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(CountKey, count);
        try
        {
            return await _retry.ExecuteAsync(static async (_, op) => await op(), context, operation);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private async Task DeadLetterAsync(Delivery delivery, string reason)
    {
        metrics.DeadLettered.Add(1);
        LogDeadLettering(logger, delivery.DeliveryTag, reason);
        bool published;
        try
        {
            published = await settler.DeadLetterAsync(delivery, reason, CancellationToken.None);
        }
        catch (Exception ex)
        {
            LogDeadLetterPublishFailed(logger, delivery.DeliveryTag, ex);
            published = false;
        }

        if (!published)
        {
            // The queue's dead-letter exchange still routes it to the dead-letter queue, without the reason.
            await settler.RejectAsync(delivery, CancellationToken.None);
        }
    }

    /// <summary>One multiple-ack per run of consecutive deliveries from the same channel.</summary>
    private async Task AcknowledgeAsync(IReadOnlyList<Delivery> batch)
    {
        for (int i = 0; i < batch.Count; i++)
        {
            bool lastOfRun = i == batch.Count - 1 || !ReferenceEquals(batch[i].Source, batch[i + 1].Source);
            if (lastOfRun)
            {
                await settler.AckAsync(batch[i], multiple: true, CancellationToken.None);
            }
        }
    }
}
