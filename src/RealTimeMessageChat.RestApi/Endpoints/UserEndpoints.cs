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

/// <summary><c>POST /api/v1/users</c>: create an account.</summary>
internal static class UserEndpoints
{
    public static IEndpointRouteBuilder MapUserEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGroup("/api/v1/users").MapPost("", RegisterAsync).WithName("RegisterUser")
            .WithSummary("Create an account")
            .Accepts<RegisterRequest>("application/json")
            .Produces<RegisterResponse>(StatusCodes.Status201Created)
            .ProducesApiProblems(StatusCodes.Status400BadRequest, StatusCodes.Status409Conflict, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType);
        return endpoints;
    }

    internal static async Task<Results<JsonHttpResult<RegisterResponse>, ProblemHttpResult>> RegisterAsync(
        HttpRequest request,
        IOptions<RestApiOptions> options,
        IUserRepository users,
        PasswordHasher hasher,
        RestApiMetrics metrics,
        ILoggerFactory loggerFactory,
        CancellationToken cancellationToken)
    {
        (RegisterRequest? body, ProblemHttpResult? problem) = await JsonBodyReader.ReadValidAsync(
            request, ContractsJsonContext.Default.RegisterRequest, options.Value.MaxBodyBytes, RequestValidator.ValidateRegistration, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        ILogger logger = loggerFactory.CreateLogger(EndpointLog.Category);
        string userId = body!.UserId!;
        string passwordHash = hasher.Hash(body.Password!);
        bool created;
        try
        {
            created = await users.TryCreateAsync(userId, body.Username, passwordHash, cancellationToken);
        }
        catch (DbException ex)
        {
            EndpointLog.DatabaseFailed(logger, ex.GetType().Name, ex.Message);
            return ApiProblems.DatabaseUnavailable();
        }

        if (!created)
        {
            EndpointLog.UserExists(logger, userId);
            return ApiProblems.UserExists(userId);
        }

        metrics.Registered();
        EndpointLog.UserRegistered(logger, userId);
        return TypedResults.Json(new RegisterResponse(userId), ContractsJsonContext.Default.RegisterResponse, statusCode: StatusCodes.Status201Created);
    }
}
