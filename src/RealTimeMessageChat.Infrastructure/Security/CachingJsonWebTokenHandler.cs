using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using RealTimeMessageChat.Infrastructure.Caching;

namespace RealTimeMessageChat.Infrastructure.Security;

/// <summary>
/// The JwtBearer handler's token handler: the library's own validation, run once per token and then
/// answered from <see cref="ExpiringCache{T}"/> until the token expires. Every request of a
/// logged-in user carries the same token, so a publish no longer pays for the signature and the
/// claims parse each time. The cached result (and its claims identity) is shared between requests and
/// is never changed by ours. Only results for the parameters it was created with are cached.
/// </summary>
public sealed class CachingJsonWebTokenHandler : JsonWebTokenHandler
{
    private readonly TokenValidationParameters _parameters;
    private readonly ExpiringCache<TokenValidationResult> _validated;

    public CachingJsonWebTokenHandler(TokenValidationParameters parameters, TimeProvider timeProvider, TimeSpan clockSkew)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        _parameters = parameters;
        _validated = new ExpiringCache<TokenValidationResult>(timeProvider, clockSkew);
        MapInboundClaims = false;
    }

    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        bool cacheable = ReferenceEquals(validationParameters, _parameters) && !string.IsNullOrEmpty(token);
        if (cacheable && _validated.TryGet(token, out TokenValidationResult? known))
        {
            return known;
        }

        TokenValidationResult result = await base.ValidateTokenAsync(token, validationParameters).ConfigureAwait(false);
        if (cacheable && result.IsValid && result.SecurityToken is JsonWebToken jwt)
        {
            _validated.Add(token, result, new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero));
        }

        return result;
    }
}
