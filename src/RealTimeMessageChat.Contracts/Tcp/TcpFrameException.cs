namespace RealTimeMessageChat.Contracts.Tcp;

/// <summary>A frame payload that is not a JSON object with a string <c>command</c>; the message is safe to send to the client.</summary>
public sealed class TcpFrameException : Exception
{
    public TcpFrameException(string message)
        : base(message)
    {
    }

    public TcpFrameException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
