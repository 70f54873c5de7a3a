using System.Net;
using System.Net.Http.Json;
using JwtAuth.Auth;
using JwtAuth.Tests.Infrastructure;
using JwtAuth.Tokens;

namespace JwtAuth.Tests.Security;

/// <summary>What a thief can do with a copied refresh token once its owner has used it.</summary>
public sealed class StolenTokenTests : IDisposable
{
    private readonly JwtAuthApplication _app = new(("Jwt:RefreshReuseGrace", "00:00:10"));

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task A_refresh_token_replayed_after_rotation_ends_the_whole_session()
    {
        await _app.CreateUserAsync("alice");
        var stolen = await _app.LoginAsync("alice");
        var owner = await ReadTokensAsync(await _app.RefreshAsync(stolen.RefreshToken));
        _app.Time.Advance(TimeSpan.FromSeconds(11));

        var replay = await _app.RefreshAsync(stolen.RefreshToken);
        var ownersNextRefresh = await _app.RefreshAsync(owner.RefreshToken);
        using var ownerClient = _app.CreateClient(owner.AccessToken);
        var ownersAccess = await ownerClient.GetAsync("/me");

        await replay.EnsureStatusAsync(HttpStatusCode.Unauthorized);
        await ownersNextRefresh.EnsureStatusAsync(HttpStatusCode.Unauthorized);
        await ownersAccess.EnsureStatusAsync(HttpStatusCode.Unauthorized);
    }

    private static async Task<TokenResponse> ReadTokensAsync(HttpResponseMessage response)
    {
        await response.EnsureStatusAsync(HttpStatusCode.OK);
        return (await response.Content.ReadFromJsonAsync<TokenResponse>(JwtAuthApplication.Json))!;
    }
}
