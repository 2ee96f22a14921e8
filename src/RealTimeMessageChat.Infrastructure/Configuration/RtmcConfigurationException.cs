namespace RealTimeMessageChat.Infrastructure.Configuration;

/// <summary>Bad or missing configuration; the message names the key or file so an operator can fix it.</summary>
public sealed class RtmcConfigurationException : Exception
{
    public RtmcConfigurationException(string message)
        : base(message)
    {
    }
}
