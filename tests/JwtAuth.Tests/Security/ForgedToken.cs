using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using JwtAuth.Tests.Infrastructure;
using Microsoft.IdentityModel.Tokens;

namespace JwtAuth.Tests.Security;

/// <summary>A compact JWS built by hand (base64url header and payload, HMAC over both), so a test can make exactly
/// the token an attacker would, including ones no JWT library is willing to produce.</summary>
internal sealed class ForgedToken(JsonObject header, JsonObject payload)
{
    public JsonObject Header { get; } = header;

    public JsonObject Payload { get; } = payload;

    /// <summary>A token the server accepts: every test changes one thing about it.</summary>
    public static ForgedToken ValidAccessToken(JwtAuthApplication app, string kid)
    {
        var now = app.Time.GetUtcNow().ToUnixTimeSeconds();
        return new ForgedToken(
            new JsonObject { ["alg"] = "HS256", ["typ"] = "at+jwt", ["kid"] = kid },
            new JsonObject
            {
                ["iss"] = "jwtauth",
                ["aud"] = "jwtauth-api",
                ["sub"] = Guid.NewGuid().ToString(),
                ["preferred_username"] = "mallory",
                ["roles"] = new JsonArray(),
                ["sid"] = Guid.NewGuid().ToString(),
                ["jti"] = Guid.NewGuid().ToString(),
                ["client_id"] = "jwtauth",
                ["iat"] = now,
                ["nbf"] = now,
                ["exp"] = now + 600,
            });
    }

    public static ForgedToken ValidAccessToken(JwtAuthApplication app) => ValidAccessToken(app, app.SigningKeyId);

    public ForgedToken With(Action<JsonObject, JsonObject> change)
    {
        var copy = new ForgedToken((JsonObject)Header.DeepClone(), (JsonObject)Payload.DeepClone());
        change(copy.Header, copy.Payload);
        return copy;
    }

    /// <summary>Signs with HMAC-SHA256/384/512 as the header's <c>alg</c> says (HS256 for anything else).</summary>
    public string Sign(byte[] key)
    {
        var signingInput = SigningInput;
        var data = Encoding.ASCII.GetBytes(signingInput);
        var signature = (string?)Header["alg"] switch
        {
            "HS384" => HMACSHA384.HashData(key, data),
            "HS512" => HMACSHA512.HashData(key, data),
            _ => HMACSHA256.HashData(key, data),
        };
        return signingInput + "." + Base64UrlEncoder.Encode(signature);
    }

    /// <summary>The header and payload with an empty signature, as <c>alg: none</c> tokens are written.</summary>
    public string Unsigned() => SigningInput + ".";

    private string SigningInput => Encode(Header) + "." + Encode(Payload);

    public static string Encode(JsonNode node) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(node.ToJsonString()));

    /// <summary>Replaces the payload of a real token and keeps its original signature.</summary>
    public static string TamperPayload(string token, Action<JsonObject> change)
    {
        var parts = token.Split('.');
        var payload = JsonNode.Parse(Base64UrlEncoder.Decode(parts[1]))!.AsObject();
        change(payload);
        return $"{parts[0]}.{Encode(payload)}.{parts[2]}";
    }
}
