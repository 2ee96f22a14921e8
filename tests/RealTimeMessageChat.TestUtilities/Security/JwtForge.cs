using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace RealTimeMessageChat.TestUtilities.Security;

/// <summary>
/// Hand-made JWTs for the token tests: any header and claims, signed with any algorithm (or none),
/// without going through the library under test, so its checks can be attacked one at a time.
/// </summary>
public static class JwtForge
{
    /// <summary>
    /// Header <c>{"alg": headerAlg, "typ": "JWT"}</c>, the claims given, and a signature made with
    /// <paramref name="signWith"/>: HS256/HS384/HS512 over <paramref name="hmacKey"/>, RS256 with a
    /// fresh RSA key of the forger's own, or none (an empty signature).
    /// </summary>
    public static string Create(JsonObject claims, byte[] hmacKey, string headerAlg = "HS256", string? signWith = null)
    {
        ArgumentNullException.ThrowIfNull(claims);
        string header = Base64Url(Encoding.UTF8.GetBytes(new JsonObject { ["alg"] = headerAlg, ["typ"] = "JWT" }.ToJsonString()));
        string payload = Base64Url(Encoding.UTF8.GetBytes(claims.ToJsonString()));
        byte[] input = Encoding.ASCII.GetBytes(header + "." + payload);
        byte[] signature = (signWith ?? headerAlg) switch
        {
            "none" => [],
            "HS256" => HMACSHA256.HashData(hmacKey, input),
            "HS384" => HMACSHA384.HashData(hmacKey, input),
            "HS512" => HMACSHA512.HashData(hmacKey, input),
            "RS256" => SignRs256(input),
            var other => throw new ArgumentOutOfRangeException(nameof(signWith), other, "unknown algorithm"),
        };
        return header + "." + payload + "." + Base64Url(signature);
    }

    /// <summary>The claims of a token the service would issue: sub, jti, iss, aud, iat, nbf, exp.</summary>
    public static JsonObject Claims(string? subject, string issuer, string audience, DateTimeOffset issuedAt, DateTimeOffset? expires)
    {
        var claims = new JsonObject
        {
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["iss"] = issuer,
            ["aud"] = audience,
            ["iat"] = issuedAt.ToUnixTimeSeconds(),
            ["nbf"] = issuedAt.ToUnixTimeSeconds(),
        };
        if (subject is not null)
        {
            claims["sub"] = subject;
        }

        if (expires is { } exp)
        {
            claims["exp"] = exp.ToUnixTimeSeconds();
        }

        return claims;
    }

    private static byte[] SignRs256(byte[] input)
    {
        using var rsa = RSA.Create(2048);
        return rsa.SignData(input, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
