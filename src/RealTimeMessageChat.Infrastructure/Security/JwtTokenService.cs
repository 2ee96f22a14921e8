using System.Security.Claims;
using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace RealTimeMessageChat.Infrastructure.Security;

/// <summary>Issues and checks HS256 JWTs whose subject is the user id and whose <c>jti</c> names the login session.</summary>
public sealed class JwtTokenService
{
    private readonly JwtOptions _options;
    private readonly SymmetricSecurityKey _key;
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };
    private readonly TimeProvider _timeProvider;

    public JwtTokenService(IOptions<JwtOptions> options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _key = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(_options.Secret));
        _timeProvider = timeProvider ?? TimeProvider.System;
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
            ClockSkew = TimeSpan.FromSeconds(30),
            NameClaimType = JwtRegisteredClaimNames.Sub,
        };
    }

    /// <summary>The parameters RestApi's JwtBearer handler uses, identical to <see cref="ValidateAsync"/>'s.</summary>
    public TokenValidationParameters ValidationParameters { get; }

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

    /// <summary>Checks signature, issuer, audience and lifetime. Never throws for a bad token.</summary>
    public async Task<TokenCheck> ValidateAsync(string? token)
    {
        if (string.IsNullOrWhiteSpace(token))
        {
            return TokenCheck.Invalid("missing token");
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
        return string.IsNullOrEmpty(subject)
            ? TokenCheck.Invalid("token has no subject")
            : new TokenCheck(true, subject, tokenId, expires, null);
    }
}

/// <summary>A freshly issued token.</summary>
public sealed record IssuedToken(string Token, DateTimeOffset ExpiresAt, string TokenId);

/// <summary>The outcome of <see cref="JwtTokenService.ValidateAsync"/>; <see cref="Error"/> is safe to show the client.</summary>
public sealed record TokenCheck(bool IsValid, string? UserId, string? TokenId, DateTimeOffset ExpiresAt, string? Error)
{
    public static TokenCheck Invalid(string error) => new(false, null, null, DateTimeOffset.MinValue, error);
}
