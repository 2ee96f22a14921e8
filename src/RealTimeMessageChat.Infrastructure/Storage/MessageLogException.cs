namespace RealTimeMessageChat.Infrastructure.Storage;

/// <summary>
/// A call to the <see cref="IMessageLog"/> (or another store of ours) failed in the store, not in
/// the caller's arguments. Callers decide on <see cref="IsTransient"/> alone and never see the
/// client library's own exceptions, which stay inside Infrastructure.
/// </summary>
public sealed class MessageLogException : Exception
{
    public MessageLogException(string message, bool isTransient, Exception? innerException = null)
        : base(message, innerException)
    {
        IsTransient = isTransient;
    }

    /// <summary>
    /// True when the same call may succeed later (connection lost, timeout, server loading, busy,
    /// out of memory...): retry it. False when the server refused this particular call (a script
    /// error for this message): retrying it will fail the same way.
    /// </summary>
    public bool IsTransient { get; }
}
