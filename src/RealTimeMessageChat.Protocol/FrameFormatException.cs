namespace RealTimeMessageChat.Protocol;

/// <summary>Bytes that can never become a valid frame: the connection must be closed.</summary>
public sealed class FrameFormatException : Exception
{
    public FrameFormatException(string message)
        : base(message)
    {
    }
}
