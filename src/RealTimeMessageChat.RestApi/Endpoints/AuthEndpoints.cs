using System.Data.Common;
using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using RealTimeMessageChat.Contracts;
using RealTimeMessageChat.Contracts.Http;
using RealTimeMessageChat.Contracts.Validation;
using RealTimeMessageChat.Infrastructure.Security;
using RealTimeMessageChat.Infrastructure.Sessions;
using RealTimeMessageChat.Infrastructure.Storage;
using RealTimeMessageChat.RestApi.Login;
using RealTimeMessageChat.RestApi.Options;
using RealTimeMessageChat.RestApi.Problems;
using RealTimeMessageChat.RestApi.Validation;
using RealTimeMessageChat.RestApi.OpenApi;

namespace RealTimeMessageChat.RestApi.Endpoints;

/// <summary><c>POST /api/v1/auth/login</c>: exchange a user id and password for a JWT.</summary>
internal static class AuthEndpoints
{
    public static IEndpointRouteBuilder MapAuthEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGroup("/api/v1/auth").MapPost("/login", LoginAsync).WithName("Login")
            .WithSummary("Log in: a JWT for the TCP handshake and the API")
            .Accepts<LoginRequest>("application/json")
            .Produces<LoginResponse>(StatusCodes.Status200OK)
            .ProducesApiProblems(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType, StatusCodes.Status429TooManyRequests, StatusCodes.Status503ServiceUnavailable);
        return endpoints;
    }

    internal static async Task<Results<JsonHttpResult<LoginResponse>, ProblemHttpResult>> LoginAsync(
        HttpContext context,
        IOptions<RestApiOptions> options,
        IUserRepository users,
        PasswordHasher hasher,
        ILoginAttemptLimiter limiter,
        JwtTokenService tokens,
        ISessionStore sessions,
        TimeProvider timeProvider,
        RestApiMetrics metrics,
        ILoggerFactory loggerFactory,
        CancellationToken cancellationToken)
    {
        (LoginRequest? body, ProblemHttpResult? problem) = await JsonBodyReader.ReadValidAsync(
            context.Request, ContractsJsonContext.Default.LoginRequest, options.Value.MaxBodyBytes, RequestValidator.ValidateLogin, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        ILogger logger = loggerFactory.CreateLogger(EndpointLog.Category);
        string userId = body!.UserId!;

        // A user id that cannot exist is limited by address only (and never written to the log:
        // it is any text the client chose). It still costs one hash verification below.
        string? account = MessageRules.IsValidUserId(userId) ? userId : null;
        string loggedId = account ?? "(not a valid user id)";
        string address = ClientAddress.KeyOf(context.Connection.RemoteIpAddress);
        LoginAdmission admission = limiter.TryAcquire(account, address);
        if (!admission.Admitted)
        {
            metrics.LoginThrottled();
            EndpointLog.LoginThrottled(logger, loggedId, address, admission.LimitedBy!);
            context.Response.Headers.RetryAfter = ((int)admission.RetryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
            return ApiProblems.TooManyLoginAttempts(admission.RetryAfter);
        }

        UserAccount? user;
        try
        {
            user = account is null ? null : await users.FindAsync(account, cancellationToken);
        }
        catch (DbException ex)
        {
            limiter.Abandoned(account, address);
            EndpointLog.DatabaseFailed(logger, ex.GetType().Name, ex.Message);
            return ApiProblems.DatabaseUnavailable();
        }

        // An unknown user costs one hash verification too (against a dummy hash of the configured
        // iteration count), and gets the same answer as a wrong password, so neither the body nor
        // the timing tells which user ids exist.
        if (!hasher.Verify(body.Password!, user?.PasswordHash))
        {
            metrics.LoginFailed();
            EndpointLog.LoginRefused(logger, loggedId, user is null ? "unknown user" : "wrong password");
            return ApiProblems.InvalidCredentials();
        }

        limiter.Succeeded(account, address);
        if (user!.IsBanned)
        {
            metrics.LoginFailed();
            EndpointLog.LoginRefused(logger, loggedId, "banned");
            return ApiProblems.UserBanned();
        }

        if (hasher.NeedsRehash(user.PasswordHash))
        {
            await UpgradeHashAsync(users, hasher, user, body.Password!, logger, cancellationToken);
        }

        IssuedToken token = tokens.Issue(user.UserId);

        // The token is good only while its session is stored: without the store, no login.
        try
        {
            await sessions.CreateAsync(new LoginSession(token.TokenId, user.UserId, timeProvider.GetUtcNow(), token.ExpiresAt, DescribeClient(context)), cancellationToken);
        }
        catch (MessageLogException ex)
        {
            EndpointLog.SessionStoreFailed(logger, ex.Message);
            return ApiProblems.SessionStoreUnavailable();
        }

        metrics.LoginSucceeded();
        EndpointLog.LoggedIn(logger, user.UserId, token.TokenId);
        var expiresAt = DateTimeOffset.FromUnixTimeSeconds(token.ExpiresAt.ToUnixTimeSeconds());
        return TypedResults.Json(new LoginResponse(token.Token, expiresAt, user.UserId), ContractsJsonContext.Default.LoginResponse);
    }

    /// <summary>What the session list shows of the client: its User-Agent (at most 200 characters) and address.</summary>
    private static string DescribeClient(HttpContext context)
    {
        string agent = context.Request.Headers.UserAgent.ToString();
        agent = agent.Length <= 200 ? agent : agent[..200];
        string address = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        return agent.Length == 0 ? address : $"{agent} ({address})";
    }

    // password_hash_iterations was changed since this hash was made: store one of the new count now
    // that the password is known. Best effort: the login succeeds either way.
    private static async Task UpgradeHashAsync(IUserRepository users, PasswordHasher hasher, UserAccount user, string password, ILogger logger, CancellationToken cancellationToken)
    {
        try
        {
            if (await users.TryReplacePasswordHashAsync(user.UserId, user.PasswordHash, hasher.Hash(password), cancellationToken))
            {
                EndpointLog.PasswordRehashed(logger, user.UserId, hasher.Iterations);
            }
        }
        catch (DbException ex)
        {
            EndpointLog.DatabaseFailed(logger, ex.GetType().Name, ex.Message);
        }
    }
}
