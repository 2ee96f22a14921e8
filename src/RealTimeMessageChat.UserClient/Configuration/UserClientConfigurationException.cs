namespace RealTimeMessageChat.UserClient.Configuration;

/// <summary>A missing configuration file or a bad value; the message names the key. Exit code 2.</summary>
internal sealed class UserClientConfigurationException(string message) : Exception(message);
