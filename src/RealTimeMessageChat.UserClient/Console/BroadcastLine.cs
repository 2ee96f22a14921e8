namespace RealTimeMessageChat.UserClient.Console;

/// <summary>The parts of a broadcast the client prints.</summary>
internal readonly record struct BroadcastLine(long Seq, string Room, string Sender, string Data)
{
    /// <summary><c>[seq] sender: text</c> for the global room, <c>[room #seq] sender: text</c> for any other.</summary>
    public override string ToString() => Room.Length == 0 ? BroadcastFormatter.Format(Seq, Sender, Data) : BroadcastFormatter.Format(Room, Seq, Sender, Data);
}
