using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using JwtAuth.Auth;
using JwtAuth.Tests.Infrastructure;
using Microsoft.IdentityModel.Tokens;
using JwtAuth.Tokens;

namespace JwtAuth.Tests.Security;

/// <summary>One server and one real login shared by the attack cases, which only read. Its key is 64 bytes, so the
/// library's own minimum key sizes for HS384 and HS512 cannot hide a missing algorithm check.</summary>
public sealed class TokenAttackServer : IAsyncLifetime
{
    public TokenAttackServer()
    {
        App = new JwtAuthApplication(("Jwt:SigningKeys:0:Id", KeyId), ("Jwt:SigningKeys:0:Secret", Convert.ToBase64String(SigningKey)));
    }

    public string KeyId { get; } = "attack-k0";

    public byte[] SigningKey { get; } = RandomNumberGenerator.GetBytes(64);

    public JwtAuthApplication App { get; }

    public TokenResponse Tokens { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await App.CreateUserAsync("alice");
        Tokens = await App.LoginAsync("alice");
    }

    public Task DisposeAsync()
    {
        App.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>The JWT attack catalogue: every token below is refused with 401 at GET /me.</summary>
public sealed class TokenAttackTests(TokenAttackServer server) : IClassFixture<TokenAttackServer>
{
    private static readonly byte[] AttackerKey = RandomNumberGenerator.GetBytes(32);

    private static readonly Dictionary<string, Func<TokenAttackServer, string>> Attacks = new()
    {
        ["alg none"] = s => Valid(s).With((h, _) => h["alg"] = "none").Unsigned(),
        ["alg None"] = s => Valid(s).With((h, _) => h["alg"] = "None").Unsigned(),
        ["alg NONE"] = s => Valid(s).With((h, _) => h["alg"] = "NONE").Unsigned(),
        ["alg none keeping a real signature"] = s => Valid(s).With((h, _) => h["alg"] = "none").Sign(s.SigningKey),
        ["signature stripped"] = s => string.Join('.', s.Tokens.AccessToken.Split('.')[..2]) + ".",
        ["signature and its dot stripped"] = s => string.Join('.', s.Tokens.AccessToken.Split('.')[..2]),
        ["HS384 with the right key"] = s => Valid(s).With((h, _) => h["alg"] = "HS384").Sign(s.SigningKey),
        ["HS512 with the right key"] = s => Valid(s).With((h, _) => h["alg"] = "HS512").Sign(s.SigningKey),
        ["RS256 header over an HMAC with the right key"] = s => Valid(s).With((h, _) => h["alg"] = "RS256").Sign(s.SigningKey),
        ["signed with a wrong key"] = s => Valid(s).Sign(AttackerKey),
        ["signed with an empty key"] = s => Valid(s).Sign([]),
        ["roles tampered under the old signature"] = s => ForgedToken.TamperPayload(s.Tokens.AccessToken, p => p["roles"] = new JsonArray("admin")),
        ["subject tampered under the old signature"] = s => ForgedToken.TamperPayload(s.Tokens.AccessToken, p => p["sub"] = Guid.NewGuid().ToString()),
        ["expired"] = s => Valid(s).With((_, p) => { p["exp"] = Now(s) - 3600; p["nbf"] = Now(s) - 7200; p["iat"] = Now(s) - 7200; }).Sign(s.SigningKey),
        ["nbf in the future"] = s => Valid(s).With((_, p) => { p["nbf"] = Now(s) + 3600; p["exp"] = Now(s) + 7200; }).Sign(s.SigningKey),
        ["no exp"] = s => Valid(s).With((_, p) => p.Remove("exp")).Sign(s.SigningKey),
        ["wrong iss"] = s => Valid(s).With((_, p) => p["iss"] = "https://attacker.example").Sign(s.SigningKey),
        ["no iss"] = s => Valid(s).With((_, p) => p.Remove("iss")).Sign(s.SigningKey),
        ["wrong aud"] = s => Valid(s).With((_, p) => p["aud"] = "another-api").Sign(s.SigningKey),
        ["no aud"] = s => Valid(s).With((_, p) => p.Remove("aud")).Sign(s.SigningKey),
        ["typ missing"] = s => Valid(s).With((h, _) => h.Remove("typ")).Sign(s.SigningKey),
        ["typ JWT"] = s => Valid(s).With((h, _) => h["typ"] = "JWT").Sign(s.SigningKey),
        ["typ of a refresh token"] = s => Valid(s).With((h, _) => h["typ"] = "rt+jwt").Sign(s.SigningKey),
        ["a real refresh token"] = s => s.Tokens.RefreshToken,
        ["no sid"] = s => Valid(s).With((_, p) => p.Remove("sid")).Sign(s.SigningKey),
        ["unknown kid"] = s => Valid(s).With((h, _) => h["kid"] = "k-unknown").Sign(s.SigningKey),
        ["no kid"] = s => Valid(s).With((h, _) => h.Remove("kid")).Sign(s.SigningKey),
        ["kid with path traversal"] = s => Valid(s).With((h, _) => h["kid"] = "../../../dev/null").Sign([]),
        ["kid with SQL"] = s => Valid(s).With((h, _) => h["kid"] = "x' OR '1'='1").Sign(s.SigningKey),
        ["jku naming the attacker's key"] = s => Valid(s).With((h, _) =>
        {
            h["kid"] = "attacker";
            h["jku"] = "https://attacker.example/jwks.json";
        }).Sign(AttackerKey),
        ["x5u naming the attacker's key"] = s => Valid(s).With((h, _) =>
        {
            h["kid"] = "attacker";
            h["x5u"] = "https://attacker.example/cert.pem";
        }).Sign(AttackerKey),
        ["jwk embedding the attacker's key"] = s => Valid(s).With((h, _) =>
        {
            h["kid"] = "attacker";
            h["jwk"] = AttackerJwk("attacker");
        }).Sign(AttackerKey),
        ["jwk embedding the attacker's key under our kid"] = s => Valid(s).With((h, _) => h["jwk"] = AttackerJwk(s.KeyId)).Sign(AttackerKey),
        ["jku header on a token signed with the right key"] = s => Valid(s).With((h, _) => h["jku"] = "https://attacker.example/jwks.json").Sign(s.SigningKey),
        ["x5u header on a token signed with the right key"] = s => Valid(s).With((h, _) => h["x5u"] = "https://attacker.example/cert.pem").Sign(s.SigningKey),
        ["jwk header on a token signed with the right key"] = s => Valid(s).With((h, _) => h["jwk"] = AttackerJwk(s.KeyId)).Sign(s.SigningKey),
        ["unknown crit header signed with the right key"] = s => Valid(s).With((h, _) =>
        {
            h["crit"] = new JsonArray("exp-ext");
            h["exp-ext"] = true;
        }).Sign(s.SigningKey),
    };

    public static TheoryData<string> AttackNames => [.. Attacks.Keys];

    [Fact]
    public async Task A_forged_token_with_nothing_wrong_is_accepted_so_each_refusal_below_is_for_its_one_change()
    {
        using var client = server.App.CreateClient(Valid(server).Sign(server.SigningKey));

        var me = await client.GetAsync("/me");

        await me.EnsureStatusAsync(HttpStatusCode.OK);
    }

    [Theory]
    [MemberData(nameof(AttackNames))]
    public async Task The_attack_token_is_refused_with_401(string attack)
    {
        using var client = server.App.CreateClient(Attacks[attack](server));

        var me = await client.GetAsync("/me");

        await me.EnsureStatusAsync(HttpStatusCode.Unauthorized);
        Assert.StartsWith("Bearer", me.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task Admin_endpoints_answer_a_tampered_admin_role_with_401_not_403()
    {
        var tampered = ForgedToken.TamperPayload(server.Tokens.AccessToken, p => p["roles"] = new JsonArray("admin"));
        using var honest = server.App.CreateClient(server.Tokens.AccessToken);
        using var forger = server.App.CreateClient(tampered);

        var honestUsers = await honest.GetAsync("/admin/users");
        var forgedUsers = await forger.GetAsync("/admin/users");
        var forgedAudit = await forger.GetAsync("/admin/audit");

        await honestUsers.EnsureStatusAsync(HttpStatusCode.Forbidden);
        await forgedUsers.EnsureStatusAsync(HttpStatusCode.Unauthorized);
        await forgedAudit.EnsureStatusAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_real_access_token_is_refused_once_it_has_expired_beyond_the_clock_skew()
    {
        using var app = new JwtAuthApplication(("Jwt:AccessTokenLifetime", "00:01:00"), ("Jwt:ClockSkew", "00:00:30"));
        await app.CreateUserAsync("alice");
        var tokens = await app.LoginAsync("alice");
        using var client = app.CreateClient(tokens.AccessToken);

        app.Time.Advance(TimeSpan.FromSeconds(89));
        var withinSkew = await client.GetAsync("/me");
        app.Time.Advance(TimeSpan.FromSeconds(2));
        var expired = await client.GetAsync("/me");

        await withinSkew.EnsureStatusAsync(HttpStatusCode.OK);
        await expired.EnsureStatusAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task An_access_token_is_refused_at_refresh()
    {
        var refresh = await server.App.RefreshAsync(server.Tokens.AccessToken);

        await refresh.EnsureStatusAsync(HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("Bearer")]
    [InlineData("Bearer ")]
    [InlineData("Bearer a.b.c")]
    [InlineData("Bearer ..")]
    [InlineData("Bearer e30.e30.")]
    [InlineData("Bearer not a token at all")]
    [InlineData("Bearer \"quoted\"")]
    [InlineData("Basic YWxpY2U6cGFzc3dvcmQ=")]
    [InlineData("Bearer é€ 🔑")]
    [InlineData("garbage")]
    public async Task A_garbage_authorization_header_is_refused_without_a_server_error(string authorization)
    {
        var status = await GetMeAsync(authorization);

        Assert.Contains(status, new[] { HttpStatusCode.BadRequest, HttpStatusCode.Unauthorized });
    }

    [Theory]
    [InlineData("100 KB of base64")]
    [InlineData("100 KB of dots")]
    [InlineData("100 KB kid in a signed token")]
    [InlineData("header nested 10000 deep")]
    public async Task An_oversized_authorization_header_is_refused_without_a_server_error(string shape)
    {
        var token = shape switch
        {
            "100 KB of base64" => new string('A', 100 * 1024),
            "100 KB of dots" => new string('.', 100 * 1024),
            "100 KB kid in a signed token" => Valid(server).With((h, _) => h["kid"] = new string('k', 100 * 1024)).Sign(server.SigningKey),
            _ => Base64UrlEncoder.Encode(new string('[', 10_000) + new string(']', 10_000)) + ".e30.",
        };

        var status = await GetMeAsync("Bearer " + token);

        Assert.Contains(status, new[] { HttpStatusCode.BadRequest, HttpStatusCode.Unauthorized, HttpStatusCode.RequestHeaderFieldsTooLarge });
    }

    private async Task<HttpStatusCode> GetMeAsync(string authorization)
    {
        using var client = server.App.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/me");
        Assert.True(request.Headers.TryAddWithoutValidation("Authorization", authorization));
        var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    private static ForgedToken Valid(TokenAttackServer s) => ForgedToken.ValidAccessToken(s.App, s.KeyId);

    private static long Now(TokenAttackServer s) => s.App.Time.GetUtcNow().ToUnixTimeSeconds();

    private static JsonObject AttackerJwk(string kid) => new()
    {
        ["kty"] = "oct",
        ["kid"] = kid,
        ["k"] = Base64UrlEncoder.Encode(AttackerKey),
    };
}
