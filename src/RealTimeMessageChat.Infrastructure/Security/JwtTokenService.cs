using System.Security.Claims;
using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using RealTimeMessageChat.Infrastructure.Caching;

namespace RealTimeMessageChat.Infrastructure.Security;

/// <summary>Issues and checks HS256 JWTs whose subject is the user id and whose <c>jti</c> names the login session.</summary>
public sealed class JwtTokenService
{
    /// <summary>
    /// How far past <c>exp</c> (or before <c>nbf</c>) a token is still taken, for clocks that differ
    /// between the RestApi that issues and the MainServer that checks. Kept well under a minute.
    /// </summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);

    private readonly JwtOptions _options;
    private readonly SymmetricSecurityKey _key;
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };
    private readonly TimeProvider _timeProvider;
    private readonly ExpiringCache<TokenCheck> _validated;

    public JwtTokenService(IOptions<JwtOptions> options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _key = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(_options.Secret));
        _timeProvider = timeProvider ?? TimeProvider.System;
        _validated = new ExpiringCache<TokenCheck>(_timeProvider, ClockSkew);
        ValidationParameters = new TokenValidationParameters
        {
            ValidIssuer = _options.Issuer,
            ValidAudience = _options.Audience,
            IssuerSigningKey = _key,
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            ValidateIssuer = true,
            ValidateAudience = true,
            ValidateLifetime = true,
            ValidateIssuerSigningKey = true,
            RequireExpirationTime = true,
            ClockSkew = ClockSkew,
            NameClaimType = JwtRegisteredClaimNames.Sub,

            // Lifetimes are judged by the clock that set them (the handler's own check reads DateTime.UtcNow).
            LifetimeValidator = ValidateLifetime,
        };
    }

    /// <summary>The parameters RestApi's JwtBearer handler uses, identical to <see cref="ValidateAsync"/>'s.</summary>
    public TokenValidationParameters ValidationParameters { get; }

    /// <summary>For RestApi's JwtBearer handler: the same checks as <see cref="ValidateAsync"/>, each token validated once until it expires.</summary>
    public TokenHandler CreateBearerTokenHandler() => new CachingJsonWebTokenHandler(ValidationParameters, _timeProvider, ClockSkew);

    public IssuedToken Issue(string userId)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        DateTimeOffset now = _timeProvider.GetUtcNow();
        DateTimeOffset expires = now.AddMinutes(_options.ExpiryMinutes);
        string tokenId = Guid.NewGuid().ToString("N");
        string token = _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = _options.Issuer,
            Audience = _options.Audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            Claims = new Dictionary<string, object>
            {
                [JwtRegisteredClaimNames.Sub] = userId,
                [JwtRegisteredClaimNames.Jti] = tokenId,
            },
            SigningCredentials = new SigningCredentials(_key, SecurityAlgorithms.HmacSha256),
        });
        return new IssuedToken(token, expires, tokenId);
    }

    /// <summary>
    /// Checks signature, issuer, audience and lifetime; a token found valid before is answered from
    /// <see cref="ExpiringCache{T}"/> until it expires. Never throws for a bad token.
    /// </summary>
    public async Task<TokenCheck> ValidateAsync(string? token)
    {
        if (string.IsNullOrWhiteSpace(token))
        {
            return TokenCheck.Invalid("missing token");
        }

        if (_validated.TryGet(token, out TokenCheck? known))
        {
            return known;
        }

        TokenValidationResult result = await _handler.ValidateTokenAsync(token, ValidationParameters).ConfigureAwait(false);
        if (!result.IsValid)
        {
            return TokenCheck.Invalid(result.Exception is SecurityTokenExpiredException ? "token expired" : "invalid token");
        }

        ClaimsIdentity identity = result.ClaimsIdentity;
        string? subject = identity.FindFirst(JwtRegisteredClaimNames.Sub)?.Value;
        string? tokenId = identity.FindFirst(JwtRegisteredClaimNames.Jti)?.Value;
        DateTimeOffset expires = result.SecurityToken is JsonWebToken jwt ? new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero) : DateTimeOffset.MinValue;
        if (string.IsNullOrEmpty(subject))
        {
            return TokenCheck.Invalid("token has no subject");
        }

        var check = new TokenCheck(true, subject, tokenId, expires, null);
        _validated.Add(token, check, expires);
        return check;
    }

    /// <summary>
    /// What the handler's own lifetime check does (expiry required, <see cref="ClockSkew"/> either
    /// side), on <see cref="TimeProvider"/>. Throws the handler's exception types, so an expired token
    /// is still told apart.
    /// </summary>
    private bool ValidateLifetime(DateTime? notBefore, DateTime? expires, SecurityToken token, TokenValidationParameters parameters)
    {
        if (expires is not { } exp)
        {
            throw new SecurityTokenNoExpirationException("The token has no expiry.");
        }

        DateTime now = _timeProvider.GetUtcNow().UtcDateTime;
        if (notBefore is { } nbf && (nbf > exp || nbf > now + ClockSkew))
        {
            throw new SecurityTokenNotYetValidException("The token is not valid yet.") { NotBefore = nbf };
        }

        if (exp < now - ClockSkew)
        {
            throw new SecurityTokenExpiredException("The token expired.") { Expires = exp };
        }

        return true;
    }
}

/// <summary>A freshly issued token.</summary>
public sealed record IssuedToken(string Token, DateTimeOffset ExpiresAt, string TokenId);

/// <summary>The outcome of <see cref="JwtTokenService.ValidateAsync"/>; <see cref="Error"/> is safe to show the client.</summary>
public sealed record TokenCheck(bool IsValid, string? UserId, string? TokenId, DateTimeOffset ExpiresAt, string? Error)
{
    public static TokenCheck Invalid(string error) => new(false, null, null, DateTimeOffset.MinValue, error);
}
