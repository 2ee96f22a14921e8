namespace RealTimeMessageChat.Bench.Tcp;

/// <summary>How a batch of connects went: time from the first connect to the last handshake reply.</summary>
internal sealed record ConnectOutcome(int Connected, TimeSpan Elapsed, int Failed, string? FirstFailure);
