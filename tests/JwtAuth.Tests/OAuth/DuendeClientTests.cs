using System.Net;
using Duende.IdentityModel.Client;
using JwtAuth.Tests.Infrastructure;

namespace JwtAuth.Tests.OAuth;

/// <summary>/token and /revoke as a standard OAuth client library (Duende.IdentityModel) sees them.</summary>
public sealed class DuendeClientTests : IDisposable
{
    private const string ClientId = "mobile-app";

    private readonly JwtAuthApplication _app = new();
    private readonly HttpClient _client;

    public DuendeClientTests() => _client = _app.CreateClient();

    public void Dispose()
    {
        _client.Dispose();
        _app.Dispose();
    }

    private static PasswordTokenRequest PasswordRequest(string username, string password = JwtAuthApplication.DefaultPassword) => new()
    {
        Address = "/token",
        ClientId = ClientId,
        // A public client sends its client_id in the body; the library's default is a Basic header.
        ClientCredentialStyle = ClientCredentialStyle.PostBody,
        UserName = username,
        Password = password,
    };

    private static RefreshTokenRequest RefreshRequest(string refreshToken) => new()
    {
        Address = "/token",
        ClientId = ClientId,
        ClientCredentialStyle = ClientCredentialStyle.PostBody,
        RefreshToken = refreshToken,
    };

    private static TokenRevocationRequest RevocationRequest(string token, string hint = "") => new()
    {
        Address = "/revoke",
        ClientId = ClientId,
        ClientCredentialStyle = ClientCredentialStyle.PostBody,
        Token = token,
        TokenTypeHint = hint,
    };

    private async Task<HttpStatusCode> MeStatusAsync(string accessToken)
    {
        using var client = _app.CreateClient(accessToken);
        return (await client.GetAsync("/me")).StatusCode;
    }

    [Fact]
    public async Task Password_grant_returns_a_bearer_token_pair()
    {
        await _app.CreateUserAsync("alice");

        var response = await _client.RequestPasswordTokenAsync(PasswordRequest("alice"));

        Assert.False(response.IsError, response.Raw);
        Assert.Equal(HttpStatusCode.OK, response.HttpStatusCode);
        Assert.Equal("Bearer", response.TokenType);
        Assert.Equal(900, response.ExpiresIn);
        Assert.False(string.IsNullOrEmpty(response.RefreshToken));
        Assert.Equal(HttpStatusCode.OK, await MeStatusAsync(response.AccessToken!));
    }

    [Fact]
    public async Task Refresh_grant_rotates_the_refresh_token()
    {
        await _app.CreateUserAsync("alice");
        var first = await _client.RequestPasswordTokenAsync(PasswordRequest("alice"));

        var second = await _client.RequestRefreshTokenAsync(RefreshRequest(first.RefreshToken!));

        Assert.False(second.IsError, second.Raw);
        Assert.NotEqual(first.RefreshToken, second.RefreshToken);
        Assert.Equal(HttpStatusCode.OK, await MeStatusAsync(second.AccessToken!));
    }

    [Fact]
    public async Task Wrong_password_is_invalid_grant()
    {
        await _app.CreateUserAsync("alice");

        var response = await _client.RequestPasswordTokenAsync(PasswordRequest("alice", "not the password"));

        Assert.True(response.IsError);
        Assert.Equal(ResponseErrorType.Protocol, response.ErrorType);
        Assert.Equal(HttpStatusCode.BadRequest, response.HttpStatusCode);
        Assert.Equal("invalid_grant", response.Error);
        Assert.Equal("The username or password is incorrect.", response.ErrorDescription);
    }

    [Fact]
    public async Task Unknown_user_gets_the_same_answer_as_a_wrong_password()
    {
        await _app.CreateUserAsync("alice");

        var wrongPassword = await _client.RequestPasswordTokenAsync(PasswordRequest("alice", "not the password"));
        var unknownUser = await _client.RequestPasswordTokenAsync(PasswordRequest("nobody"));

        Assert.Equal("invalid_grant", unknownUser.Error);
        Assert.Equal(wrongPassword.Raw, unknownUser.Raw);
    }

    [Fact]
    public async Task Reused_refresh_token_after_the_grace_window_is_invalid_grant_and_ends_the_session()
    {
        await _app.CreateUserAsync("alice");
        var first = await _client.RequestPasswordTokenAsync(PasswordRequest("alice"));
        var second = await _client.RequestRefreshTokenAsync(RefreshRequest(first.RefreshToken!));
        _app.Time.Advance(TimeSpan.FromSeconds(11));

        var reuse = await _client.RequestRefreshTokenAsync(RefreshRequest(first.RefreshToken!));

        Assert.True(reuse.IsError);
        Assert.Equal(ResponseErrorType.Protocol, reuse.ErrorType);
        Assert.Equal(HttpStatusCode.BadRequest, reuse.HttpStatusCode);
        Assert.Equal("invalid_grant", reuse.Error);
        Assert.Equal(HttpStatusCode.Unauthorized, await MeStatusAsync(second.AccessToken!));
        Assert.Equal("invalid_grant", (await _client.RequestRefreshTokenAsync(RefreshRequest(second.RefreshToken!))).Error);
    }

    [Fact]
    public async Task Reused_refresh_token_within_the_grace_window_still_works()
    {
        await _app.CreateUserAsync("alice");
        var first = await _client.RequestPasswordTokenAsync(PasswordRequest("alice"));
        await _client.RequestRefreshTokenAsync(RefreshRequest(first.RefreshToken!));
        _app.Time.Advance(TimeSpan.FromSeconds(5));

        var again = await _client.RequestRefreshTokenAsync(RefreshRequest(first.RefreshToken!));

        Assert.False(again.IsError, again.Raw);
    }

    [Fact]
    public async Task Other_grant_types_are_unsupported_grant_type()
    {
        var response = await _client.RequestClientCredentialsTokenAsync(new ClientCredentialsTokenRequest
        {
            Address = "/token",
            ClientId = ClientId,
            ClientCredentialStyle = ClientCredentialStyle.PostBody,
        });

        Assert.True(response.IsError);
        Assert.Equal(ResponseErrorType.Protocol, response.ErrorType);
        Assert.Equal(HttpStatusCode.BadRequest, response.HttpStatusCode);
        Assert.Equal("unsupported_grant_type", response.Error);
    }

    [Fact]
    public async Task Empty_password_is_invalid_request()
    {
        await _app.CreateUserAsync("alice");

        var response = await _client.RequestPasswordTokenAsync(PasswordRequest("alice", ""));

        Assert.Equal(ResponseErrorType.Protocol, response.ErrorType);
        Assert.Equal(HttpStatusCode.BadRequest, response.HttpStatusCode);
        Assert.Equal("invalid_request", response.Error);
        Assert.Equal("The password parameter is required.", response.ErrorDescription);
    }

    [Theory]
    [InlineData("password", "username")]
    [InlineData("refresh_token", "refresh_token")]
    public async Task Missing_grant_parameter_is_invalid_request(string grantType, string missing)
    {
        var response = await _client.RequestTokenAsync(new TokenRequest
        {
            Address = "/token",
            GrantType = grantType,
            Parameters = { { "password", JwtAuthApplication.DefaultPassword } },
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.HttpStatusCode);
        Assert.Equal("invalid_request", response.Error);
        Assert.Equal($"The {missing} parameter is required.", response.ErrorDescription);
    }

    [Fact]
    public async Task Client_secret_is_invalid_client()
    {
        await _app.CreateUserAsync("alice");
        var request = PasswordRequest("alice");
        request.ClientSecret = "s3cret";

        var response = await _client.RequestPasswordTokenAsync(request);

        Assert.True(response.IsError);
        // The library reports any status but 400 as an HTTP error; the OAuth code is still in the body.
        Assert.Equal(ResponseErrorType.Http, response.ErrorType);
        Assert.Equal(HttpStatusCode.Unauthorized, response.HttpStatusCode);
        Assert.Equal("invalid_client", response.TryGet("error"));
        Assert.Equal(0, _app.PasswordHasher.Verifications);
    }

    [Fact]
    public async Task Library_default_basic_header_is_invalid_client_with_a_challenge()
    {
        await _app.CreateUserAsync("alice");
        var request = PasswordRequest("alice");
        request.ClientCredentialStyle = ClientCredentialStyle.AuthorizationHeader;

        var response = await _client.RequestPasswordTokenAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.HttpStatusCode);
        Assert.Equal("invalid_client", response.TryGet("error"));
        Assert.Contains("public clients only", response.TryGet("error_description"));
        Assert.Equal("Basic realm=\"jwtauth\"", response.HttpResponse!.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task Revoking_the_refresh_token_ends_the_session()
    {
        await _app.CreateUserAsync("alice");
        var tokens = await _client.RequestPasswordTokenAsync(PasswordRequest("alice"));

        var revoked = await _client.RevokeTokenAsync(RevocationRequest(tokens.RefreshToken!, "refresh_token"));

        Assert.False(revoked.IsError, revoked.Raw);
        Assert.Equal(HttpStatusCode.OK, revoked.HttpStatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, await MeStatusAsync(tokens.AccessToken!));
        Assert.Equal("invalid_grant", (await _client.RequestRefreshTokenAsync(RefreshRequest(tokens.RefreshToken!))).Error);
    }

    [Fact]
    public async Task Revoking_the_access_token_ends_the_session()
    {
        await _app.CreateUserAsync("alice");
        var tokens = await _client.RequestPasswordTokenAsync(PasswordRequest("alice"));

        var revoked = await _client.RevokeTokenAsync(RevocationRequest(tokens.AccessToken!, "access_token"));

        Assert.False(revoked.IsError, revoked.Raw);
        Assert.Equal(HttpStatusCode.Unauthorized, await MeStatusAsync(tokens.AccessToken!));
        Assert.Equal("invalid_grant", (await _client.RequestRefreshTokenAsync(RefreshRequest(tokens.RefreshToken!))).Error);
    }

    [Fact]
    public async Task Revoking_an_unknown_token_succeeds()
    {
        var revoked = await _client.RevokeTokenAsync(RevocationRequest("not-a-token"));

        Assert.False(revoked.IsError, revoked.Raw);
        Assert.Equal(HttpStatusCode.OK, revoked.HttpStatusCode);
    }
}
