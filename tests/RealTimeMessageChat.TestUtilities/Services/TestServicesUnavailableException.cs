namespace RealTimeMessageChat.TestUtilities.Services;

/// <summary>The services are not there (for example <c>./build.sh test</c> did not start them); the message says what is missing.</summary>
public sealed class TestServicesUnavailableException(string message) : Exception(message);
