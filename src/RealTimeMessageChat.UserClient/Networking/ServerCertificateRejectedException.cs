namespace RealTimeMessageChat.UserClient.Networking;

/// <summary>The MainServer's certificate did not validate (<c>use_ssl</c>): retrying cannot fix it, the configuration or the server must change.</summary>
internal sealed class ServerCertificateRejectedException(string message) : Exception(message);
