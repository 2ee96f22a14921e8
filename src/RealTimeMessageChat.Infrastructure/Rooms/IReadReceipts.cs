namespace RealTimeMessageChat.Infrastructure.Rooms;

/// <summary>The highest <c>seq</c> each user has read in each room (issue 8: the TCP <c>read</c> command).</summary>
public interface IReadReceipts
{
    /// <summary>Records that <paramref name="userId"/> read <paramref name="room"/> up to <paramref name="seq"/>; a lower seq than the stored one changes nothing.</summary>
    Task MarkReadAsync(string room, string userId, long seq, CancellationToken cancellationToken);
}
