namespace RealTimeMessageChat.Protocol.Toolkit;

/// <summary>
/// The mode byte of a C++ toolkit frame (the first Combiner field). RTMC uses <see cref="Message"/>
/// (UTF-8 JSON or the heartbeat strings) and <see cref="Connection"/> (the handshake).
/// </summary>
public enum ToolkitMode : byte
{
    Binary = 0,
    File = 1,
    Message = 2,
    Connection = 3,
}
