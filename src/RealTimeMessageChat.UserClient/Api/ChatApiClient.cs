using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using RealTimeMessageChat.Contracts;
using RealTimeMessageChat.Contracts.Http;

namespace RealTimeMessageChat.UserClient.Api;

/// <summary>
/// The RestApi calls the client makes: register, login (keeps the current token) and publish with
/// retries. The password stays in this object and is never logged; neither is the token.
/// </summary>
internal sealed partial class ChatApiClient(HttpClient httpClient, string userId, string password, ILogger<ChatApiClient> logger, int publishMaxAttempts = 5)
{
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(5);

    private readonly SemaphoreSlim _loginLock = new(1, 1);
    private volatile LoginResponse? _login;

    public string UserId { get; } = userId;

    /// <summary>The current token, or null before the first login or after it was dropped.</summary>
    public string? Token => _login?.Token;

    /// <summary>Forgets the token so the next <see cref="EnsureTokenAsync"/> logs in again.</summary>
    public void InvalidateToken(string? token)
    {
        if (token is not null && _login?.Token == token)
        {
            _login = null;
        }
    }

    /// <summary>Creates the account; an account that already exists (409) is fine.</summary>
    public async Task RegisterAsync(CancellationToken cancellationToken)
    {
        byte[] body = JsonSerializer.SerializeToUtf8Bytes(new RegisterRequest { UserId = UserId, Password = password }, ContractsJsonContext.Default.RegisterRequest);
        using HttpResponseMessage response = await SendAsync(body, "api/v1/users", token: null, cancellationToken);
        if (response.StatusCode == HttpStatusCode.Conflict)
        {
            LogAlreadyRegistered(logger, UserId);
            return;
        }

        await EnsureSuccessAsync(response, "register", cancellationToken);
        LogRegistered(logger, UserId);
    }

    /// <summary>The current token, logging in first when there is none or it is about to expire.</summary>
    public async Task<string> EnsureTokenAsync(CancellationToken cancellationToken)
    {
        LoginResponse? login = _login;
        if (login is not null && login.ExpiresAt > DateTimeOffset.UtcNow.AddSeconds(30))
        {
            return login.Token;
        }

        return await LoginAsync(login?.Token, cancellationToken);
    }

    /// <summary>
    /// Logs in unless another caller already replaced <paramref name="staleToken"/>, so concurrent
    /// callers that saw the same refused token log in once.
    /// </summary>
    public async Task<string> LoginAsync(string? staleToken, CancellationToken cancellationToken)
    {
        await _loginLock.WaitAsync(cancellationToken);
        try
        {
            LoginResponse? current = _login;
            if (current is not null && current.Token != staleToken && current.ExpiresAt > DateTimeOffset.UtcNow.AddSeconds(30))
            {
                return current.Token;
            }

            byte[] body = JsonSerializer.SerializeToUtf8Bytes(new LoginRequest { UserId = UserId, Password = password }, ContractsJsonContext.Default.LoginRequest);
            using HttpResponseMessage response = await SendAsync(body, "api/v1/auth/login", token: null, cancellationToken);
            await EnsureSuccessAsync(response, "login", cancellationToken);
            LoginResponse login = await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.LoginResponse, cancellationToken)
                ?? throw new ChatApiException("login: empty answer", response.StatusCode, isTransient: true);
            _login = login;
            LogLoggedIn(logger, UserId, login.ExpiresAt);
            return login.Token;
        }
        finally
        {
            _loginLock.Release();
        }
    }

    /// <summary>
    /// Publishes one line. The same <paramref name="messageId"/> goes with every attempt, so a retry
    /// after a lost answer is de-duplicated by the server rather than shown twice. A refused token
    /// is renewed once; 429, 5xx and unreachable API are retried with backoff.
    /// </summary>
    public async Task<PublishResponse?> PublishAsync(string content, Guid messageId, CancellationToken cancellationToken, string? room = null)
    {
        // The global room is sent without sub_id, as before rooms existed.
        byte[] body = JsonSerializer.SerializeToUtf8Bytes(
            new PublishRequest { Content = content, MessageId = messageId, SubId = string.IsNullOrEmpty(room) ? null : room }, ContractsJsonContext.Default.PublishRequest);
        bool reloggedIn = false;
        TimeSpan delay = FirstRetryDelay;
        for (int attempt = 1; ; attempt++)
        {
            string token;
            HttpResponseMessage response;
            try
            {
                token = await EnsureTokenAsync(cancellationToken);
                response = await SendAsync(body, "publishMessage", token, cancellationToken);
            }
            catch (ChatApiException ex) when (ex.IsTransient && attempt < publishMaxAttempts)
            {
                LogPublishRetry(logger, messageId, attempt, ex.Message);
                await Task.Delay(delay, cancellationToken);
                delay = Next(delay);
                continue;
            }

            using (response)
            {
                if (response.StatusCode == HttpStatusCode.Unauthorized && !reloggedIn)
                {
                    reloggedIn = true;
                    await LoginAsync(token, cancellationToken);
                    continue;
                }

                if (IsTransient(response.StatusCode) && attempt < publishMaxAttempts)
                {
                    TimeSpan wait = RetryAfter(response) ?? delay;
                    LogPublishRetry(logger, messageId, attempt, $"HTTP {(int)response.StatusCode}");
                    await Task.Delay(wait, cancellationToken);
                    delay = Next(delay);
                    continue;
                }

                await EnsureSuccessAsync(response, "publish", cancellationToken);
                LogPublished(logger, messageId);
                return await ReadPublishResponseAsync(response, cancellationToken);
            }
        }
    }

    private static async Task<PublishResponse?> ReadPublishResponseAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.PublishResponse, cancellationToken);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Posts JSON bytes (with a Content-Length, not chunked) and maps transport failures to transient errors.</summary>
    private async Task<HttpResponseMessage> SendAsync(byte[] json, string path, string? token, CancellationToken cancellationToken)
    {
        var content = new ByteArrayContent(json);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        try
        {
            return await httpClient.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw new ChatApiException($"{path}: RestApi unreachable ({ex.Message})", null, isTransient: true, ex);
        }
        catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ChatApiException($"{path}: RestApi did not answer in time", null, isTransient: true, ex);
        }
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, string operation, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        string detail = await ReadProblemAsync(response, cancellationToken);
        throw new ChatApiException(
            $"{operation} failed: HTTP {(int)response.StatusCode} {detail}".TrimEnd(), response.StatusCode, IsTransient(response.StatusCode));
    }

    /// <summary>The problem+json <c>title</c> and <c>detail</c>, so the user sees why.</summary>
    private static async Task<string> ReadProblemAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            string body = await response.Content.ReadAsStringAsync(cancellationToken);
            using JsonDocument document = JsonDocument.Parse(body);
            JsonElement root = document.RootElement;
            string? title = root.TryGetProperty("title", out JsonElement t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            string? detail = root.TryGetProperty("detail", out JsonElement d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
            return string.Join(": ", new[] { title, detail }.Where(s => !string.IsNullOrEmpty(s)));
        }
        catch (JsonException)
        {
            return response.ReasonPhrase ?? string.Empty;
        }
    }

    private static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout || (int)status >= 500;

    private static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        RetryConditionHeaderValue? header = response.Headers.RetryAfter;
        TimeSpan? wait = header?.Delta ?? (header?.Date is { } date ? date - DateTimeOffset.UtcNow : null);
        return wait is { } w ? TimeSpan.FromTicks(Math.Clamp(w.Ticks, 0, MaxRetryDelay.Ticks)) : null;
    }

    private static TimeSpan Next(TimeSpan delay) => TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
}
