using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using JwtAuth.Audit;
using JwtAuth.Auth;
using JwtAuth.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Net.Http.Headers;

namespace JwtAuth.Tests.Auth;

/// <summary>Cookie mode: the refresh token only in an HttpOnly, SameSite=Strict cookie, usable at /refresh and /logout
/// by requests that carry X-Requested-With: JwtAuth from an allowed origin, with rotation, grace and reuse detection as
/// for body tokens.</summary>
public sealed class CookieModeTests : IDisposable
{
    private const string AllowedOrigin = "https://app.example.com";

    private readonly JwtAuthApplication _app = new(("Jwt:RefreshReuseGrace", "00:00:10"), ("Cors:AllowedOrigins:0", AllowedOrigin));

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task Login_in_cookie_mode_puts_the_refresh_token_only_in_a_strict_httponly_secure_host_cookie()
    {
        await _app.RegisterAsync("alice");
        using var client = Https();

        var response = await client.PostAsJsonAsync("/login", new { username = "alice", password = JwtAuthApplication.DefaultPassword, cookie = true });

        await response.EnsureStatusAsync(HttpStatusCode.OK);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(body.TryGetProperty("refresh_token", out _));
        Assert.Equal(1209600, body.GetProperty("refresh_token_expires_in").GetInt64());
        var cookie = Assert.Single(SetCookies(response));
        Assert.Equal(RefreshCookie.SecureName, cookie.Name.Value);
        Assert.True(cookie.HttpOnly);
        Assert.True(cookie.Secure);
        Assert.Equal(Microsoft.Net.Http.Headers.SameSiteMode.Strict, cookie.SameSite);
        Assert.Equal("/", cookie.Path.Value);
        Assert.Null(cookie.Domain.Value);
        Assert.Equal(TimeSpan.FromDays(14), cookie.MaxAge);
        Assert.DoesNotContain(cookie.Value.Value!, await response.Content.ReadAsStringAsync());
        Assert.Equal("rt+jwt", TokenForge.DecodeHeader(cookie.Value.Value!)["typ"]!.GetValue<string>());
        using var api = _app.CreateClient(body.GetProperty("access_token").GetString()!);
        await (await api.GetAsync("/me")).EnsureStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Over_plain_http_between_loopback_addresses_the_cookie_is_set_without_secure()
    {
        await _app.RegisterAsync("alice");
        using var client = _app.CreateClientFrom("127.0.0.1");

        var response = await client.PostAsJsonAsync("/login", new { username = "alice", password = JwtAuthApplication.DefaultPassword, cookie = true });

        await response.EnsureStatusAsync(HttpStatusCode.OK);
        var cookie = Assert.Single(SetCookies(response));
        Assert.Equal(RefreshCookie.LoopbackName, cookie.Name.Value);
        Assert.False(cookie.Secure);
        Assert.True(cookie.HttpOnly);
        Assert.Equal(Microsoft.Net.Http.Headers.SameSiteMode.Strict, cookie.SameSite);
    }

    [Theory]
    [InlineData("198.51.100.7", "localhost")]
    [InlineData("127.0.0.1", "auth.example.com")]
    public async Task Over_plain_http_off_loopback_cookie_mode_is_refused_before_the_password_is_checked(string peer, string host)
    {
        await _app.RegisterAsync("alice");
        using var client = _app.CreateClientFrom(peer);
        var verifications = _app.PasswordHasher.Verifications;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/login")
        {
            Content = JsonContent.Create(new { username = "alice", password = JwtAuthApplication.DefaultPassword, cookie = true }),
        };
        request.Headers.Host = host;

        var response = await client.SendAsync(request);

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotEmpty(problem.FieldErrors("cookie"));
        Assert.Empty(SetCookies(response));
        Assert.Equal(verifications, _app.PasswordHasher.Verifications);
    }

    [Fact]
    public async Task Login_without_cookie_mode_is_unchanged_and_sets_no_cookie()
    {
        await _app.RegisterAsync("alice");
        using var client = Https();

        var response = await client.PostAsJsonAsync("/login", new { username = "alice", password = JwtAuthApplication.DefaultPassword });

        await response.EnsureStatusAsync(HttpStatusCode.OK);
        Assert.Empty(SetCookies(response));
        var tokens = await response.Content.ReadFromJsonAsync<JwtAuth.Tokens.TokenResponse>(JwtAuthApplication.Json);
        Assert.False(string.IsNullOrEmpty(tokens!.RefreshToken));
    }

    [Fact]
    public async Task Login_in_cookie_mode_from_a_foreign_origin_is_403()
    {
        await _app.RegisterAsync("alice");
        using var client = Https();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/login")
        {
            Content = JsonContent.Create(new { username = "alice", password = JwtAuthApplication.DefaultPassword, cookie = true }),
        };
        request.Headers.Add("Origin", "https://evil.example");

        var response = await client.SendAsync(request);

        await response.ReadProblemAsync(HttpStatusCode.Forbidden);
        Assert.Empty(SetCookies(response));
    }

    [Fact]
    public async Task Refresh_with_the_cookie_rotates_it_and_returns_only_the_access_token()
    {
        var cookie = await LoginWithCookieAsync("alice");
        using var client = Https();

        var response = await client.SendAsync(CookieRequest("/refresh", cookie));

        await response.EnsureStatusAsync(HttpStatusCode.OK);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(body.TryGetProperty("refresh_token", out _));
        var rotated = Assert.Single(SetCookies(response));
        Assert.Equal(RefreshCookie.SecureName, rotated.Name.Value);
        Assert.NotEqual(cookie, rotated.Value.Value);
        Assert.True(rotated.HttpOnly);
        using var api = _app.CreateClient(body.GetProperty("access_token").GetString()!);
        await (await api.GetAsync("/me")).EnsureStatusAsync(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("XMLHttpRequest", null)]
    [InlineData("jwtauth", null)]
    [InlineData("JwtAuth", "https://evil.example")]
    [InlineData("JwtAuth", "null")]
    [InlineData("JwtAuth", "http://localhost")]
    public async Task A_cookie_request_without_the_header_or_from_a_foreign_origin_is_403_and_spends_nothing(string? requestedWith, string? origin)
    {
        var cookie = await LoginWithCookieAsync("alice");
        using var client = Https();

        var refresh = await client.SendAsync(CookieRequest("/refresh", cookie, requestedWith, origin));
        var logout = await client.SendAsync(CookieRequest("/logout", cookie, requestedWith, origin));

        await refresh.ReadProblemAsync(HttpStatusCode.Forbidden);
        await logout.ReadProblemAsync(HttpStatusCode.Forbidden);
        Assert.Empty(SetCookies(refresh));
        Assert.Empty(SetCookies(logout));
        await (await client.SendAsync(CookieRequest("/refresh", cookie))).EnsureStatusAsync(HttpStatusCode.OK);
        Assert.DoesNotContain(await _app.AuditEventsAsync(), e => e.Type == AuditEventTypes.Logout);
    }

    [Theory]
    [InlineData("https://localhost")]
    [InlineData("https://localhost:443")]
    [InlineData(AllowedOrigin)]
    public async Task A_cookie_request_from_its_own_or_an_allowed_origin_is_served(string origin)
    {
        var cookie = await LoginWithCookieAsync("alice");
        using var client = Https();

        var response = await client.SendAsync(CookieRequest("/refresh", cookie, origin: origin));

        await response.EnsureStatusAsync(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("/refresh")]
    [InlineData("/logout")]
    public async Task A_cross_site_form_post_with_the_cookie_is_403_and_ends_nothing(string path)
    {
        var cookie = await LoginWithCookieAsync("alice");
        using var client = Https();
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new StringContent("all_sessions=true", Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        request.Headers.Add("Cookie", $"{RefreshCookie.SecureName}={cookie}");
        request.Headers.Add("Origin", "https://evil.example");

        var response = await client.SendAsync(request);

        await response.ReadProblemAsync(HttpStatusCode.Forbidden);
        await (await client.SendAsync(CookieRequest("/refresh", cookie))).EnsureStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_cookie_request_without_a_cookie_is_401()
    {
        using var client = Https();

        var response = await client.SendAsync(CookieRequest("/refresh", cookie: null));

        var problem = await response.ReadProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal(AuthEndpoints.NoCookieTitle, problem.GetProperty("title").GetString());
    }

    [Fact]
    public async Task A_plain_http_cookie_is_not_read_over_https()
    {
        var cookie = await LoginWithCookieAsync("alice");
        using var client = Https();
        var request = CookieRequest("/refresh", cookie: null);
        request.Headers.Add("Cookie", $"{RefreshCookie.LoopbackName}={cookie}");

        var response = await client.SendAsync(request);

        await response.ReadProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_body_token_wins_over_a_cookie_and_needs_no_header()
    {
        await _app.RegisterAsync("bob");
        var bob = await _app.LoginAsync("bob");
        var aliceCookie = await LoginWithCookieAsync("alice");
        using var client = Https();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/refresh") { Content = JsonContent.Create(new { refresh_token = bob.RefreshToken }) };
        request.Headers.Add("Cookie", $"{RefreshCookie.SecureName}={aliceCookie}");

        var response = await client.SendAsync(request);

        await response.EnsureStatusAsync(HttpStatusCode.OK);
        var tokens = await response.Content.ReadFromJsonAsync<JwtAuth.Tokens.TokenResponse>(JwtAuthApplication.Json);
        Assert.False(string.IsNullOrEmpty(tokens!.RefreshToken));
        Assert.Empty(SetCookies(response));
        Assert.Equal("bob", TokenForge.DecodePayload(tokens.AccessToken)["preferred_username"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_spent_cookie_works_within_the_grace_window_and_after_it_revokes_the_session_and_clears_the_cookie()
    {
        var first = await LoginWithCookieAsync("alice");
        using var client = Https();
        var rotated = await client.SendAsync(CookieRequest("/refresh", first));
        await rotated.EnsureStatusAsync(HttpStatusCode.OK);
        var second = SetCookies(rotated).Single().Value.Value!;

        _app.Time.Advance(TimeSpan.FromSeconds(9));
        var withinGrace = await client.SendAsync(CookieRequest("/refresh", first));
        _app.Time.Advance(TimeSpan.FromSeconds(11));
        var afterGrace = await client.SendAsync(CookieRequest("/refresh", first));

        await withinGrace.EnsureStatusAsync(HttpStatusCode.OK);
        await afterGrace.ReadProblemAsync(HttpStatusCode.Unauthorized);
        var cleared = Assert.Single(SetCookies(afterGrace));
        Assert.True(cleared.Expires < DateTimeOffset.UtcNow);
        Assert.Contains(await _app.AuditEventsAsync(), e => e.Type == AuditEventTypes.RefreshReuseDetected);
        await (await client.SendAsync(CookieRequest("/refresh", second))).ReadProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Logout_with_the_cookie_ends_the_session_and_clears_the_cookie()
    {
        var cookie = await LoginWithCookieAsync("alice");
        using var client = Https();
        var refreshed = await client.SendAsync(CookieRequest("/refresh", cookie));
        var access = (await refreshed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString()!;
        cookie = SetCookies(refreshed).Single().Value.Value!;

        var logout = await client.SendAsync(CookieRequest("/logout", cookie));

        await logout.EnsureStatusAsync(HttpStatusCode.NoContent);
        var cleared = Assert.Single(SetCookies(logout));
        Assert.Equal(RefreshCookie.SecureName, cleared.Name.Value);
        Assert.True(cleared.Expires < DateTimeOffset.UtcNow);
        using var api = _app.CreateClient(access);
        await (await api.GetAsync("/me")).EnsureStatusAsync(HttpStatusCode.Unauthorized);
        await (await client.SendAsync(CookieRequest("/refresh", cookie))).ReadProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Logout_with_the_cookie_and_all_sessions_ends_every_session_of_the_user()
    {
        var cookie = await LoginWithCookieAsync("alice");
        var other = await _app.LoginAsync("alice");
        using var client = Https();
        var request = CookieRequest("/logout", cookie);
        request.Content = JsonContent.Create(new { all_sessions = true });

        var logout = await client.SendAsync(request);

        await logout.EnsureStatusAsync(HttpStatusCode.NoContent);
        await (await _app.RefreshAsync(other.RefreshToken)).ReadProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Logout_with_a_bearer_token_also_clears_the_cookie()
    {
        var cookie = await LoginWithCookieAsync("alice");
        using var client = Https();
        var refreshed = await client.SendAsync(CookieRequest("/refresh", cookie));
        var access = (await refreshed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString()!;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/logout");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", access);
        request.Headers.Add("Cookie", $"{RefreshCookie.SecureName}={SetCookies(refreshed).Single().Value.Value}");

        var logout = await client.SendAsync(request);

        await logout.EnsureStatusAsync(HttpStatusCode.NoContent);
        Assert.True(Assert.Single(SetCookies(logout)).Expires < DateTimeOffset.UtcNow);
    }

    [Fact]
    public async Task Logout_with_a_cookie_that_is_not_a_refresh_token_of_this_server_is_401_and_clears_it()
    {
        await _app.RegisterAsync("alice");
        var tokens = await _app.LoginAsync("alice");
        using var client = Https();

        var response = await client.SendAsync(CookieRequest("/logout", tokens.AccessToken));

        await response.ReadProblemAsync(HttpStatusCode.Unauthorized);
        Assert.True(Assert.Single(SetCookies(response)).Expires < DateTimeOffset.UtcNow);
        await (await _app.RefreshAsync(tokens.RefreshToken)).EnsureStatusAsync(HttpStatusCode.OK);
    }

    private HttpClient Https() =>
        _app.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://localhost"), HandleCookies = false });

    private async Task<string> LoginWithCookieAsync(string username)
    {
        if (!await _app.WithDbAsync(db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.AnyAsync(db.Users, u => u.Username == username)))
        {
            await _app.RegisterAsync(username);
        }
        using var client = Https();
        var response = await client.PostAsJsonAsync("/login", new { username, password = JwtAuthApplication.DefaultPassword, cookie = true });
        await response.EnsureStatusAsync(HttpStatusCode.OK);
        return SetCookies(response).Single(c => c.Name.Value == RefreshCookie.SecureName).Value.Value!;
    }

    private static HttpRequestMessage CookieRequest(string path, string? cookie, string? requestedWith = BrowserRequests.RequestedWithValue, string? origin = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path);
        if (cookie is not null) request.Headers.Add("Cookie", $"{RefreshCookie.SecureName}={cookie}");
        if (requestedWith is not null) request.Headers.Add(BrowserRequests.RequestedWithHeader, requestedWith);
        if (origin is not null) request.Headers.Add("Origin", origin);
        return request;
    }

    private static IList<SetCookieHeaderValue> SetCookies(HttpResponseMessage response) =>
        response.Headers.TryGetValues(HeaderNames.SetCookie, out var values) ? SetCookieHeaderValue.ParseList([.. values]) : [];
}
