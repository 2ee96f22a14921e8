namespace RealTimeMessageChat.IntegrationTests.Chaos;

/// <summary>The checker's verdict; every figure but the counts of messages must be zero.</summary>
public sealed record ChaosVerdict(
    int Accepted,
    int Uncertain,
    int UncertainDelivered,
    int Refused,
    int Stored,
    long Lost,
    long Duplicated,
    long Reordered,
    long Unexpected,
    IReadOnlyList<string> Examples)
{
    public bool Passed => Lost == 0 && Duplicated == 0 && Reordered == 0 && Unexpected == 0;

    public string Summary => $"lost={Lost} duplicated={Duplicated} reordered={Reordered} unexpected={Unexpected}";
}

/// <summary>
/// Compares, per <c>message_id</c>, what the API answered, what each client received and what
/// PostgreSQL stored, by the contract's promises: an accepted message reaches every client once
/// and is stored once; every client sees one room's messages in <c>seq</c> order, and a message
/// has the same <c>seq</c> everywhere; the seqs stored run 1, 2, 3, ... without a gap; a message
/// whose publish had no definite answer arrives zero times or once, and the same everywhere.
/// </summary>
public static class ChaosChecker
{
    private const int MaxExamples = 10;

    public static ChaosVerdict Check(
        IReadOnlyDictionary<Guid, PublishOutcome> published,
        IReadOnlyList<(string Client, IReadOnlyList<(long Seq, Guid Id)> Received)> clients,
        IReadOnlyList<(long Seq, Guid Id)> stored)
    {
        long lost = 0, duplicated = 0, reordered = 0, unexpected = 0;
        var examples = new List<string>();
        void Note(string example)
        {
            if (examples.Count < MaxExamples)
            {
                examples.Add(example);
            }
        }

        // Stored: once per id, with seqs 1..n and no gap.
        var storedSeq = new Dictionary<Guid, long>();
        foreach (var (seq, id) in stored)
        {
            if (!storedSeq.TryAdd(id, seq))
            {
                duplicated++;
                Note($"stored twice: {id} (seq {storedSeq[id]} and {seq})");
            }

            if (!published.TryGetValue(id, out PublishOutcome outcome) || outcome == PublishOutcome.Refused)
            {
                unexpected++;
                Note($"stored but never accepted: {id}");
            }
        }

        long expectedSeq = 1;
        foreach (long seq in stored.Select(s => s.Seq).Order())
        {
            if (seq > expectedSeq)
            {
                lost += seq - expectedSeq;
                Note($"stored seqs skip {expectedSeq}..{seq - 1}");
            }

            expectedSeq = Math.Max(expectedSeq, seq + 1);
        }

        // Each client: once per id, seqs rising, the stored seq.
        var deliveries = new Dictionary<Guid, int>();
        foreach (var (client, received) in clients)
        {
            var seen = new HashSet<Guid>();
            long previous = long.MinValue;
            foreach (var (seq, id) in received)
            {
                if (!seen.Add(id))
                {
                    duplicated++;
                    Note($"{client} received {id} twice");
                    continue;
                }

                deliveries[id] = deliveries.GetValueOrDefault(id) + 1;
                if (seq <= previous)
                {
                    reordered++;
                    Note($"{client} received seq {seq} after {previous}");
                }

                previous = Math.Max(previous, seq);
                if (storedSeq.TryGetValue(id, out long stSeq) && stSeq != seq)
                {
                    reordered++;
                    Note($"{client} received {id} as seq {seq}, stored as {stSeq}");
                }

                if (!published.TryGetValue(id, out PublishOutcome outcome) || outcome == PublishOutcome.Refused)
                {
                    unexpected++;
                    Note($"{client} received {id}, never accepted");
                }
            }
        }

        int accepted = 0, uncertain = 0, uncertainDelivered = 0, refused = 0;
        foreach (var (id, outcome) in published)
        {
            int delivered = deliveries.GetValueOrDefault(id);
            bool isStored = storedSeq.ContainsKey(id);
            switch (outcome)
            {
                case PublishOutcome.Accepted:
                    accepted++;
                    if (delivered < clients.Count)
                    {
                        lost += clients.Count - delivered;
                        Note($"accepted {id} reached {delivered} of {clients.Count} clients");
                    }

                    if (!isStored)
                    {
                        lost++;
                        Note($"accepted {id} not stored");
                    }

                    break;
                case PublishOutcome.Uncertain:
                    uncertain++;
                    if (delivered > 0 || isStored)
                    {
                        uncertainDelivered++;

                        // Taken after all: then it is owed to everyone, like an accepted one.
                        lost += (clients.Count - delivered) + (isStored ? 0 : 1);
                        if (delivered < clients.Count || !isStored)
                        {
                            Note($"unanswered {id} reached {delivered} of {clients.Count} clients, stored: {isStored}");
                        }
                    }

                    break;
                default:
                    refused++;
                    break;
            }
        }

        return new ChaosVerdict(accepted, uncertain, uncertainDelivered, refused, storedSeq.Count, lost, duplicated, reordered, unexpected, examples);
    }
}
