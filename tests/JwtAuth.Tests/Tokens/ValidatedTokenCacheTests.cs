using System.Net;
using JwtAuth.Auth;
using JwtAuth.Tests.Infrastructure;
using JwtAuth.Tokens;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;

namespace JwtAuth.Tests.Tokens;

public sealed class ValidatedTokenCacheTests : IDisposable
{
    private readonly JwtAuthApplication _app = new();

    public void Dispose() => _app.Dispose();

    private ValidatedTokenCache Cache => _app.Services.GetRequiredService<ValidatedTokenCache>();

    [Fact]
    public async Task A_cached_token_yields_the_same_claims_as_full_validation()
    {
        await AssertCachedClaimsAsync(new TokenSubject(Guid.NewGuid(), "Zoë", ["admin", "ops"], ["pwd"]));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_cached_token_keeps_the_address_and_the_authentication_methods(bool verified)
    {
        var cached = await AssertCachedClaimsAsync(new TokenSubject(Guid.NewGuid(), "Zoë", [], ["pwd", "otp"], "zoe@example.com", verified));

        Assert.Equal(["pwd", "otp"], cached.FindAll("amr").Select(c => c.Value));
        Assert.Equal("zoe@example.com", cached.FindFirst("email")!.Value);
        Assert.Equal(verified, cached.FindFirst("email_verified")!.Value == "true");
    }

    private async Task<System.Security.Claims.ClaimsPrincipal> AssertCachedClaimsAsync(TokenSubject subject)
    {
        _ = _app.Services;
        var issuer = _app.Services.GetRequiredService<TokenIssuer>();
        var validation = _app.Services.GetRequiredService<TokenValidation>();
        var token = issuer.IssueAccessToken(subject, Guid.NewGuid(), "spa").Token;

        var validated = await new JsonWebTokenHandler().ValidateTokenAsync(token, validation.AccessTokenParameters);
        Cache.Add((JsonWebToken)validated.SecurityToken);
        var cached = Cache.Find(token, out _);

        Assert.True(validated.IsValid);
        Assert.NotNull(cached);
        Assert.Equal(
            validated.ClaimsIdentity.Claims.Select(c => (c.Type, c.Value, c.ValueType, c.Issuer)),
            cached.Claims.Select(c => (c.Type, c.Value, c.ValueType, c.Issuer)));
        Assert.Equal(validated.ClaimsIdentity.AuthenticationType, cached.Identity!.AuthenticationType);
        Assert.Equal("Zoë", cached.Identity.Name);
        Assert.Equal(subject.Roles.Contains("ops"), cached.IsInRole("ops"));
        return cached;
    }

    [Fact]
    public async Task Logout_refuses_a_token_that_is_already_cached()
    {
        await _app.RegisterAsync("alice");
        var tokens = await _app.LoginAsync("alice");
        using var client = _app.CreateClient(tokens.AccessToken);
        await (await client.GetAsync("/me")).EnsureStatusAsync(HttpStatusCode.OK);
        Assert.NotNull(Cache.Find(tokens.AccessToken, out _));

        await (await client.PostAsync("/logout", null)).EnsureStatusAsync(HttpStatusCode.NoContent);
        var me = await client.GetAsync("/me");

        await me.EnsureStatusAsync(HttpStatusCode.Unauthorized);
        Assert.Contains("invalid_token", me.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task A_cached_token_is_refused_once_it_expires()
    {
        await _app.RegisterAsync("alice");
        var tokens = await _app.LoginAsync("alice");
        using var client = _app.CreateClient(tokens.AccessToken);
        await (await client.GetAsync("/me")).EnsureStatusAsync(HttpStatusCode.OK);

        _app.Time.Advance(TimeSpan.FromSeconds(tokens.ExpiresIn) + TimeSpan.FromSeconds(29));
        await (await client.GetAsync("/me")).EnsureStatusAsync(HttpStatusCode.OK);
        _app.Time.Advance(TimeSpan.FromSeconds(2));
        var me = await client.GetAsync("/me");

        await me.EnsureStatusAsync(HttpStatusCode.Unauthorized);
        Assert.Null(Cache.Find(tokens.AccessToken, out _));
    }

    [Fact]
    public async Task Only_fully_validated_tokens_enter_the_cache()
    {
        await _app.RegisterAsync("alice");
        var tokens = await _app.LoginAsync("alice");
        var parts = tokens.AccessToken.Split('.');
        // The first character of the signature: all six of its bits count, so the signature always changes. (Writing
        // "AA" over the last two gave the token back unchanged whenever it already ended in "AA".)
        var forged = $"{parts[0]}.{parts[1]}.{(parts[2][0] == 'A' ? 'B' : 'A')}{parts[2][1..]}";
        Assert.NotEqual(tokens.AccessToken, forged);
        using var client = _app.CreateClient(forged);

        var first = await client.GetAsync("/me");
        var second = await client.GetAsync("/me");

        await first.EnsureStatusAsync(HttpStatusCode.Unauthorized);
        await second.EnsureStatusAsync(HttpStatusCode.Unauthorized);
        Assert.Null(Cache.Find(forged, out _));
    }

    [Fact]
    public async Task A_token_one_character_away_from_a_cached_one_is_not_taken_for_it()
    {
        var tokens = await UseATokenAsync();
        var parts = tokens.AccessToken.Split('.');
        var payload = parts[1].ToCharArray();
        payload[^3] = payload[^3] == 'A' ? 'B' : 'A';
        var altered = $"{parts[0]}.{new string(payload)}.{parts[2]}";
        using var tampering = _app.CreateClient(altered);

        var me = await tampering.GetAsync("/me");

        await me.EnsureStatusAsync(HttpStatusCode.Unauthorized);
        Assert.Null(Cache.Find(altered, out _));
        Assert.NotNull(Cache.Find(tokens.AccessToken, out _));
    }

    [Fact]
    public async Task A_token_with_characters_outside_ascii_never_matches_a_cached_one()
    {
        var tokens = await UseATokenAsync();

        // Same low byte in every character as the cached token: a narrowing that dropped high bytes would match it.
        var widened = tokens.AccessToken[..^1] + (char)(tokens.AccessToken[^1] + 0x100);

        Assert.Null(Cache.Find(widened, out _));
        Assert.NotNull(Cache.Find(tokens.AccessToken, out _));
    }

    [Fact]
    public async Task Prune_drops_expired_entries()
    {
        var tokens = await UseATokenAsync();
        Assert.Equal(1, Cache.Count);

        _app.Time.Advance(TimeSpan.FromSeconds(tokens.ExpiresIn + 31));
        Cache.Prune();

        Assert.Equal(0, Cache.Count);
    }

    /// <summary>Alice's tokens, after one <c>GET /me</c> has put the access token in the cache.</summary>
    private async Task<TokenResponse> UseATokenAsync()
    {
        await _app.RegisterAsync("alice");
        var tokens = await _app.LoginAsync("alice");
        using var client = _app.CreateClient(tokens.AccessToken);
        await (await client.GetAsync("/me")).EnsureStatusAsync(HttpStatusCode.OK);
        return tokens;
    }
}
