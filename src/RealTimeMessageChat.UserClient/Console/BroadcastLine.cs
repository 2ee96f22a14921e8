namespace RealTimeMessageChat.UserClient.Console;

/// <summary>The parts of a broadcast the client prints.</summary>
internal readonly record struct BroadcastLine(long Seq, string Room, string Sender, string Data)
{
    public override string ToString() => BroadcastFormatter.Format(Seq, Sender, Data);
}
