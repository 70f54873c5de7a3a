using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.Tokens;

namespace JwtAuth.Tests.Infrastructure;

/// <summary>Builds JWS compact tokens byte by byte, so a test controls every header and claim, signed with
/// whatever key and algorithm an attacker might choose.</summary>
public static class TokenForge
{
    public static string Encode(JsonObject header, JsonObject payload, byte[]? key)
    {
        var signingInput = Base64Url(header.ToJsonString()) + "." + Base64Url(payload.ToJsonString());
        var alg = header["alg"]?.GetValue<string>();
        var signature = alg switch
        {
            "HS256" => HMACSHA256.HashData(key!, Encoding.ASCII.GetBytes(signingInput)),
            "HS384" => HMACSHA384.HashData(key!, Encoding.ASCII.GetBytes(signingInput)),
            "HS512" => HMACSHA512.HashData(key!, Encoding.ASCII.GetBytes(signingInput)),
            _ => [],
        };
        return signingInput + "." + Base64UrlEncoder.Encode(signature);
    }

    /// <summary>The header and claims of a token the server itself would issue for this user and session.</summary>
    public static (JsonObject Header, JsonObject Payload) AccessToken(JwtAuthApplication app, string userId, string sessionId)
    {
        var now = app.Time.GetUtcNow().ToUnixTimeSeconds();
        var header = new JsonObject { ["alg"] = "HS256", ["typ"] = "at+jwt", ["kid"] = app.SigningKeyId };
        var payload = new JsonObject
        {
            ["iss"] = "jwtauth",
            ["aud"] = "jwtauth-api",
            ["sub"] = userId,
            ["preferred_username"] = "alice",
            ["roles"] = new JsonArray(),
            ["sid"] = sessionId,
            ["jti"] = Guid.NewGuid().ToString(),
            ["iat"] = now,
            ["nbf"] = now,
            ["exp"] = now + 300,
            ["client_id"] = "jwtauth",
        };
        return (header, payload);
    }

    public static JsonObject DecodeHeader(string token) => DecodePart(token, 0);

    public static JsonObject DecodePayload(string token) => DecodePart(token, 1);

    private static JsonObject DecodePart(string token, int index)
    {
        var part = token.Split('.')[index];
        return JsonNode.Parse(Base64UrlEncoder.Decode(part))!.AsObject();
    }

    private static string Base64Url(string json) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(json));
}
