namespace RealTimeMessageChat.UserClient.Networking;

/// <summary>The server answered the connection frame with <c>condition: false</c> (or not at all).</summary>
internal sealed class ConnectionRejectedException(string message) : Exception(message);
