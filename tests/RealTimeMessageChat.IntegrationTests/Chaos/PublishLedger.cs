using System.Collections.Concurrent;
using System.Diagnostics;

namespace RealTimeMessageChat.IntegrationTests.Chaos;

/// <summary>What the API answered for each message id, over all the attempts made with that id.</summary>
public enum PublishOutcome
{
    /// <summary>Some attempt got 202: the message must reach every client once and be stored once.</summary>
    Accepted,

    /// <summary>No 202, and some attempt timed out or lost its connection: it may have been accepted, so it must arrive zero times or once, everywhere alike.</summary>
    Uncertain,

    /// <summary>Every attempt got a definite "not accepted" (503): it must never arrive.</summary>
    Refused,
}

/// <summary>Every message id the load published, its outcome, and the order in which 202s came back.</summary>
public sealed class PublishLedger
{
    private readonly ConcurrentDictionary<Guid, PublishOutcome> _outcomes = new();
    private readonly ConcurrentQueue<(Guid Id, long At)> _accepted = new();
    private int _unexpectedAnswers;
    private string? _firstUnexpectedAnswer;

    public IReadOnlyDictionary<Guid, PublishOutcome> Outcomes => _outcomes;

    /// <summary>Answers no valid publish should get (a 4xx other than 429): each is a broken promise of its own.</summary>
    public int UnexpectedAnswers => Volatile.Read(ref _unexpectedAnswers);

    public string? FirstUnexpectedAnswer => Volatile.Read(ref _firstUnexpectedAnswer);

    public void Record(Guid id, PublishOutcome outcome)
    {
        _outcomes[id] = outcome;
        if (outcome == PublishOutcome.Accepted)
        {
            _accepted.Enqueue((id, Stopwatch.GetTimestamp()));
        }
    }

    public void RecordUnexpectedAnswer(string answer)
    {
        Interlocked.Increment(ref _unexpectedAnswers);
        Interlocked.CompareExchange(ref _firstUnexpectedAnswer, answer, null);
    }

    /// <summary>Up to <paramref name="max"/> ids whose 202 came after <paramref name="since"/> (a <see cref="Stopwatch"/> timestamp), earliest first.</summary>
    public List<Guid> AcceptedAfter(long since, int max) =>
        _accepted.Where(a => a.At > since).Take(max).Select(a => a.Id).ToList();
}
