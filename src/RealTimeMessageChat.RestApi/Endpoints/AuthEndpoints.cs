using System.Data.Common;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using RealTimeMessageChat.Contracts;
using RealTimeMessageChat.Contracts.Http;
using RealTimeMessageChat.Infrastructure.Security;
using RealTimeMessageChat.Infrastructure.Storage;
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
            .ProducesApiProblems(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType);
        return endpoints;
    }

    internal static async Task<Results<JsonHttpResult<LoginResponse>, ProblemHttpResult>> LoginAsync(
        HttpRequest request,
        IOptions<RestApiOptions> options,
        IUserRepository users,
        PasswordHasher hasher,
        JwtTokenService tokens,
        RestApiMetrics metrics,
        ILoggerFactory loggerFactory,
        CancellationToken cancellationToken)
    {
        (LoginRequest? body, ProblemHttpResult? problem) = await JsonBodyReader.ReadValidAsync(
            request, ContractsJsonContext.Default.LoginRequest, options.Value.MaxBodyBytes, RequestValidator.ValidateLogin, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        ILogger logger = loggerFactory.CreateLogger(EndpointLog.Category);
        string userId = body!.UserId!;
        UserAccount? account;
        try
        {
            account = await users.FindAsync(userId, cancellationToken);
        }
        catch (DbException ex)
        {
            EndpointLog.DatabaseFailed(logger, ex.GetType().Name, ex.Message);
            return ApiProblems.DatabaseUnavailable();
        }

        // An unknown user costs one hash verification too, and gets the same answer as a wrong
        // password, so neither the body nor the timing tells which user ids exist.
        if (!hasher.Verify(body.Password!, account?.PasswordHash))
        {
            metrics.LoginFailed();
            EndpointLog.LoginRefused(logger, userId, account is null ? "unknown user" : "wrong password");
            return ApiProblems.InvalidCredentials();
        }

        if (account!.IsBanned)
        {
            metrics.LoginFailed();
            EndpointLog.LoginRefused(logger, userId, "banned");
            return ApiProblems.UserBanned();
        }

        IssuedToken token = tokens.Issue(account.UserId);
        metrics.LoginSucceeded();
        EndpointLog.LoggedIn(logger, account.UserId, token.TokenId);
        var expiresAt = DateTimeOffset.FromUnixTimeSeconds(token.ExpiresAt.ToUnixTimeSeconds());
        return TypedResults.Json(new LoginResponse(token.Token, expiresAt, account.UserId), ContractsJsonContext.Default.LoginResponse);
    }
}
