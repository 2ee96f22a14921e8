using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using RealTimeMessageChat.Infrastructure.Caching;

namespace RealTimeMessageChat.Infrastructure.Security;

/// <summary>
/// The JwtBearer handler's token handler: the library's own validation, run once per token and then
/// answered from <see cref="ExpiringCache{T}"/> until the token expires. Every request of a
/// logged-in user carries the same token, so a publish no longer pays for the signature and the
/// claims parse each time. The cached result (and its claims identity) is shared between requests and
/// is never changed by ours. Only results for the parameters it was created with are cached: the
/// JwtBearer handler passes a fresh <c>Clone()</c> of them on every request (so that a configuration
/// refresh cannot race), hence "the same" means the same key, issuer, audience, lifetime rule and
/// checks, not the same object (comparing references made every request miss: the bench's profile
/// still showed the signature check and the claims parse per publish, 2026-12-02).
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
        bool cacheable = !string.IsNullOrEmpty(token) && IsSameValidation(validationParameters);
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

    /// <summary>Whether <paramref name="candidate"/> is ours or a copy of ours (what every setting we use says).</summary>
    private bool IsSameValidation(TokenValidationParameters candidate)
    {
        TokenValidationParameters ours = _parameters;
        return ReferenceEquals(candidate, ours)
            || (candidate.ConfigurationManager is null
                && ReferenceEquals(candidate.IssuerSigningKey, ours.IssuerSigningKey)
                && candidate.IssuerSigningKeys is null && candidate.IssuerSigningKeyResolver is null
                && candidate.IssuerSigningKeyValidator is null && candidate.SignatureValidator is null
                && candidate.TokenReader is null && candidate.IssuerValidator is null && candidate.AudienceValidator is null
                && Equals(candidate.LifetimeValidator, ours.LifetimeValidator)
                && string.Equals(candidate.ValidIssuer, ours.ValidIssuer, StringComparison.Ordinal) && candidate.ValidIssuers is null
                && string.Equals(candidate.ValidAudience, ours.ValidAudience, StringComparison.Ordinal) && candidate.ValidAudiences is null
                && candidate.ValidAlgorithms is not null && ours.ValidAlgorithms is not null && candidate.ValidAlgorithms.SequenceEqual(ours.ValidAlgorithms)
                && candidate.ValidateIssuer == ours.ValidateIssuer && candidate.ValidateAudience == ours.ValidateAudience
                && candidate.ValidateLifetime == ours.ValidateLifetime && candidate.ValidateIssuerSigningKey == ours.ValidateIssuerSigningKey
                && candidate.RequireExpirationTime == ours.RequireExpirationTime && candidate.RequireSignedTokens == ours.RequireSignedTokens
                && candidate.ClockSkew == ours.ClockSkew
                && string.Equals(candidate.NameClaimType, ours.NameClaimType, StringComparison.Ordinal)
                && string.Equals(candidate.RoleClaimType, ours.RoleClaimType, StringComparison.Ordinal));
    }
}
