namespace RealTimeMessageChat.Bench.Tcp;

/// <summary>The order check of every client over one measurement window, summed.</summary>
internal sealed class WindowStats
{
    public int Clients { get; set; }

    public long InOrder { get; set; }

    public long Duplicates { get; set; }

    public long Reordered { get; set; }

    public long Gaps { get; set; }

    /// <summary>Seqs an open client never received.</summary>
    public long Missing { get; set; }

    public int Disconnected { get; set; }

    /// <summary>Seqs a client the server closed did not receive (counted apart from <see cref="Missing"/>).</summary>
    public long MissingAfterDisconnect { get; set; }

    public long ErrorFrames { get; set; }

    public long MalformedFrames { get; set; }

    public List<string> DisconnectReasons { get; } = [];

    /// <summary>Every open client got every seq once and in order, and nobody was closed.</summary>
    public bool IsClean => Duplicates == 0 && Reordered == 0 && Gaps == 0 && Missing == 0 && Disconnected == 0 && MalformedFrames == 0;

    public Dictionary<string, double> ToValues() => new()
    {
        ["clients"] = Clients,
        ["in_order"] = InOrder,
        ["duplicates"] = Duplicates,
        ["reordered"] = Reordered,
        ["gaps"] = Gaps,
        ["missing"] = Missing,
        ["disconnected"] = Disconnected,
        ["missing_after_disconnect"] = MissingAfterDisconnect,
        ["error_frames"] = ErrorFrames,
        ["malformed_frames"] = MalformedFrames,
        ["order_ok"] = IsClean ? 1 : 0,
    };

    public string Describe() => IsClean
        ? $"all {Clients:N0} clients: every seq once, in order"
        : $"{Clients:N0} clients: missing {Missing:N0}, duplicates {Duplicates:N0}, reordered {Reordered:N0}, gaps {Gaps:N0}, " +
          $"disconnected {Disconnected:N0} (missing after {MissingAfterDisconnect:N0}), malformed {MalformedFrames:N0}" +
          (DisconnectReasons.Count > 0 ? $" [{string.Join(", ", DisconnectReasons.Distinct().Take(3))}]" : string.Empty);
}
