using System.Net;

namespace RealTimeMessageChat.UserClient.Api;

/// <summary>
/// A RestApi call that failed. <see cref="IsTransient"/>: the API could not be reached or was
/// overloaded (429, 5xx), so trying again later may work; otherwise the request itself was refused.
/// </summary>
internal sealed class ChatApiException(string message, HttpStatusCode? statusCode, bool isTransient, Exception? innerException = null)
    : Exception(message, innerException)
{
    public HttpStatusCode? StatusCode { get; } = statusCode;

    public bool IsTransient { get; } = isTransient;
}
