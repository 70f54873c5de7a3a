using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using JwtAuth.Tests.Infrastructure;
using JwtAuth.Tests.Security;

namespace JwtAuth.Tests.Account;

/// <summary>A user with two-factor login on, enrolled over HTTP as a person with an authenticator app would be.</summary>
public sealed record TwoFactorEnrolment(Guid UserId, string Secret, string[] RecoveryCodes)
{
    /// <summary>Creates <paramref name="username"/>, enrols and confirms with a first code; the fake clock then moves to the
    /// next step, so the confirming code is spent.</summary>
    public static async Task<TwoFactorEnrolment> EnrolAsync(JwtAuthApplication app, string username)
    {
        var userId = await app.CreateUserAsync(username);
        using var client = app.CreateClient((await app.LoginAsync(username)).AccessToken);
        var enrolled = await client.PostAsJsonAsync("/me/mfa/totp", new { password = JwtAuthApplication.DefaultPassword });
        await enrolled.EnsureStatusAsync(HttpStatusCode.OK);
        var secret = JsonDocument.Parse(await enrolled.Content.ReadAsStringAsync()).RootElement.GetProperty("secret").GetString()!;
        var confirmed = await client.PostAsJsonAsync("/me/mfa/totp/confirm", new { code = Totp.Code(secret, app.Time.GetUtcNow()) });
        await confirmed.EnsureStatusAsync(HttpStatusCode.OK);
        var codes = JsonDocument.Parse(await confirmed.Content.ReadAsStringAsync()).RootElement.GetProperty("recovery_codes")
            .EnumerateArray().Select(c => c.GetString()!).ToArray();
        app.Time.Advance(TimeSpan.FromSeconds(30));
        return new TwoFactorEnrolment(userId, secret, codes);
    }
}
