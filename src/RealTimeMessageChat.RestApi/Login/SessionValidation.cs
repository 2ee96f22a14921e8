using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.JsonWebTokens;
using RealTimeMessageChat.Infrastructure.Storage;
using RealTimeMessageChat.RestApi.Endpoints;
using RealTimeMessageChat.RestApi.Problems;

namespace RealTimeMessageChat.RestApi.Login;

/// <summary>
/// The JwtBearer hooks that make a token only as good as its session: after the signature and
/// lifetime checks, its <c>jti</c> must still be in the session store (a Redis <c>EXISTS</c>, remembered
/// for a few seconds by <see cref="SessionCheckCache"/>). No session: 401. The store unreachable: 503,
/// never a pass.
/// </summary>
internal static class SessionValidation
{
    private const string StoreDownKey = "rtmc.session_store_down";

    public static async Task OnTokenValidatedAsync(TokenValidatedContext context)
    {
        // A signed token naming nobody is no login: refused here, for every endpoint at once.
        if (string.IsNullOrEmpty(context.Principal?.FindFirst(JwtRegisteredClaimNames.Sub)?.Value))
        {
            context.Fail("The token has no subject.");
            return;
        }

        string? tokenId = context.Principal.FindFirst(JwtRegisteredClaimNames.Jti)?.Value;
        if (string.IsNullOrEmpty(tokenId))
        {
            context.Fail("The token names no session.");
            return;
        }

        SessionCheckCache sessions = context.HttpContext.RequestServices.GetRequiredService<SessionCheckCache>();
        try
        {
            if (!await sessions.ExistsAsync(tokenId, context.HttpContext.RequestAborted))
            {
                context.Fail("The session has ended.");
            }
        }
        catch (MessageLogException ex)
        {
            ILogger logger = context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(EndpointLog.Category);
            EndpointLog.SessionStoreFailed(logger, ex.Message);
            context.HttpContext.Items[StoreDownKey] = true;
            context.Fail("The session store is unavailable.");
        }
    }

    public static async Task OnChallengeAsync(JwtBearerChallengeContext context)
    {
        if (context.HttpContext.Items.ContainsKey(StoreDownKey))
        {
            context.HandleResponse();
            await ApiProblems.SessionStoreUnavailable().ExecuteAsync(context.HttpContext);
        }
    }
}
