using System.Net;
using System.Text.Json.Nodes;
using JwtAuth.Tests.Infrastructure;

namespace JwtAuth.Tests.Tokens;

/// <summary>Tokens signed with the server's own key but wrong in one header or claim. Each starts from a token
/// the server accepts, so a refusal is due to the one change alone.</summary>
public sealed class ForgedTokenTests : IDisposable
{
    private readonly byte[] _key;
    private readonly JwtAuthApplication _app;

    public ForgedTokenTests()
    {
        // 64 bytes, so HS384 and HS512 signatures can be made with the server's own key and only the algorithm rule refuses them.
        _key = System.Security.Cryptography.RandomNumberGenerator.GetBytes(64);
        _app = new JwtAuthApplication(("Jwt:SigningKeys:0:Secret", Convert.ToBase64String(_key)));
    }

    public void Dispose() => _app.Dispose();

    public static TheoryData<string> Forgeries() =>
    [
        "typ JWT", "typ rt+jwt", "no typ", "alg HS512", "alg HS384", "alg none", "alg none unsigned", "wrong iss", "wrong aud",
        "no aud", "unknown kid", "no kid", "no exp", "nbf in the future", "expired", "other key", "no sid", "jku header",
        "jwk header", "x5u header", "crit header", "tampered payload",
    ];

    [Fact]
    public async Task Unchanged_forgery_is_accepted()
    {
        var (header, payload) = await ValidTokenPartsAsync();

        var me = await GetMeAsync(TokenForge.Encode(header, payload, _key));

        await me.EnsureStatusAsync(HttpStatusCode.OK);
    }

    [Theory]
    [MemberData(nameof(Forgeries))]
    public async Task Forged_token_is_refused_with_invalid_token(string forgery)
    {
        var (header, payload) = await ValidTokenPartsAsync();
        var token = Forge(forgery, header, payload);

        var me = await GetMeAsync(token);

        await me.EnsureStatusAsync(HttpStatusCode.Unauthorized);
        var challenge = Assert.Single(me.Headers.WwwAuthenticate);
        Assert.Equal("Bearer", challenge.Scheme);
        Assert.Contains("error=\"invalid_token\"", challenge.Parameter);
    }

    private string Forge(string forgery, JsonObject header, JsonObject payload)
    {
        var key = _key;
        var now = _app.Time.GetUtcNow().ToUnixTimeSeconds();
        switch (forgery)
        {
            case "typ JWT": header["typ"] = "JWT"; break;
            case "typ rt+jwt": header["typ"] = "rt+jwt"; break;
            case "no typ": header.Remove("typ"); break;
            case "alg HS512": header["alg"] = "HS512"; break;
            case "alg HS384": header["alg"] = "HS384"; break;
            case "alg none": header["alg"] = "none"; break;
            case "alg none unsigned":
                header["alg"] = "none";
                return TokenForge.Encode(header, payload, null);
            case "wrong iss": payload["iss"] = "https://evil.example"; break;
            case "wrong aud": payload["aud"] = "another-api"; break;
            case "no aud": payload.Remove("aud"); break;
            case "unknown kid": header["kid"] = "not-a-key"; break;
            case "no kid": header.Remove("kid"); break;
            case "no exp": payload.Remove("exp"); break;
            case "nbf in the future": payload["nbf"] = now + 3600; payload["exp"] = now + 7200; break;
            case "expired": payload["iat"] = now - 7200; payload["nbf"] = now - 7200; payload["exp"] = now - 3600; break;
            case "other key": key = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32); break;
            case "no sid": payload.Remove("sid"); break;
            case "jku header": header["jku"] = "https://evil.example/keys"; break;
            case "jwk header": header["jwk"] = new JsonObject { ["kty"] = "oct", ["k"] = "AAAA" }; break;
            case "x5u header": header["x5u"] = "https://evil.example/cert"; break;
            case "crit header": header["crit"] = new JsonArray("exp"); break;
            case "tampered payload":
                var genuine = TokenForge.Encode(header, payload, key).Split('.');
                payload["roles"] = new JsonArray("admin");
                var tampered = TokenForge.Encode(header, payload, key).Split('.');
                return $"{genuine[0]}.{tampered[1]}.{genuine[2]}";
            default: throw new ArgumentOutOfRangeException(nameof(forgery), forgery, null);
        }
        return TokenForge.Encode(header, payload, key);
    }

    private async Task<(JsonObject Header, JsonObject Payload)> ValidTokenPartsAsync()
    {
        var userId = await _app.CreateUserAsync("alice");
        var tokens = await _app.LoginAsync("alice");
        var sid = TokenForge.DecodePayload(tokens.AccessToken)["sid"]!.GetValue<string>();
        return TokenForge.AccessToken(_app, userId.ToString(), sid);
    }

    private async Task<HttpResponseMessage> GetMeAsync(string token)
    {
        using var client = _app.CreateClient(token);
        return await client.GetAsync("/me");
    }
}
