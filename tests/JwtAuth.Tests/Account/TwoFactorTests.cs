using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using JwtAuth.Audit;
using JwtAuth.Tests.Infrastructure;
using JwtAuth.Tests.Security;
using JwtAuth.Tokens;
using Microsoft.EntityFrameworkCore;

namespace JwtAuth.Tests.Account;

/// <summary>TOTP two-factor login: enrolment, confirmation with a code from an authenticator app (computed here from the
/// RFC), login with a code or a recovery code at <c>/login</c> and <c>/token</c>, and turning it off.</summary>
public sealed class TwoFactorTests : IDisposable
{
    private const string Password = JwtAuthApplication.DefaultPassword;

    private readonly JwtAuthApplication _app = new(("Lockout:MaxFailedAttempts", "4"));

    public void Dispose() => _app.Dispose();

    private TwoFactorEnrolment? _alice;

    private string CodeNow(string secret, int steps = 0) => Totp.Code(secret, _app.Time.GetUtcNow().AddSeconds(30 * steps));

    /// <summary>alice with two-factor login on; the fake clock then moves to the next step, so the confirming code is spent.</summary>
    private async Task<TwoFactorEnrolment> EnrolAliceAsync() => _alice = await TwoFactorEnrolment.EnrolAsync(_app, "alice");

    private async Task<HttpResponseMessage> LoginAsync(string password = Password, string? totpCode = null, string? recoveryCode = null)
    {
        using var client = _app.CreateClient();
        return await client.PostAsJsonAsync("/login", new { username = "alice", password, totp_code = totpCode, recovery_code = recoveryCode });
    }

    private static async Task<string[]> AmrAsync(HttpResponseMessage response)
    {
        await response.EnsureStatusAsync(HttpStatusCode.OK);
        var tokens = (await response.Content.ReadFromJsonAsync<TokenResponse>(JwtAuthApplication.Json))!;
        return [.. TokenForge.DecodePayload(tokens.AccessToken)["amr"]!.AsArray().Select(m => m!.GetValue<string>())];
    }

    [Fact]
    public async Task Enrolment_gives_a_secret_its_otpauth_uri_and_a_qr_code_and_a_first_code_turns_it_on()
    {
        await _app.CreateUserAsync("alice");
        using var client = _app.CreateClient((await _app.LoginAsync("alice")).AccessToken);

        var enrolled = await client.PostAsJsonAsync("/me/mfa/totp", new { password = Password });

        await enrolled.EnsureStatusAsync(HttpStatusCode.OK);
        var body = JsonDocument.Parse(await enrolled.Content.ReadAsStringAsync()).RootElement;
        var secret = body.GetProperty("secret").GetString()!;
        Assert.Equal(32, secret.Length);
        Assert.Equal($"otpauth://totp/jwtauth:alice?secret={secret}&issuer=jwtauth&algorithm=SHA1&digits=6&period=30", body.GetProperty("otpauth_uri").GetString());
        Assert.Contains("<svg", body.GetProperty("qr_svg").GetString());
        // Not on until confirmed: the password alone still logs in.
        Assert.Equal(["pwd"], await AmrAsync(await LoginAsync()));

        var confirmed = await client.PostAsJsonAsync("/me/mfa/totp/confirm", new { code = CodeNow(secret) });

        await confirmed.EnsureStatusAsync(HttpStatusCode.OK);
        var codes = JsonDocument.Parse(await confirmed.Content.ReadAsStringAsync()).RootElement.GetProperty("recovery_codes").EnumerateArray().Select(c => c.GetString()).ToList();
        Assert.Equal(10, codes.Distinct().Count());
        Assert.All(codes, code => Assert.Matches("^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$", code));
        Assert.Contains(await _app.AuditEventsAsync(), e => e.Type == AuditEventTypes.TwoFactorEnabled);
    }

    [Fact]
    public void The_independent_authenticator_matches_the_rfc_6238_test_vector()
    {
        var key = "12345678901234567890"u8.ToArray();

        Assert.Equal("287082", Totp.Code(key, DateTimeOffset.FromUnixTimeSeconds(59)));
        Assert.Equal("081804", Totp.Code(key, DateTimeOffset.FromUnixTimeSeconds(1111111109)));
    }

    [Fact]
    public async Task With_two_factor_on_a_right_password_alone_gets_401_with_mfa_required()
    {
        await EnrolAliceAsync();

        var withoutCode = await LoginAsync();
        var wrongPassword = await LoginAsync("not the password");

        Assert.True((await withoutCode.ReadProblemAsync(HttpStatusCode.Unauthorized)).GetProperty("mfa_required").GetBoolean());
        var plain = await wrongPassword.ReadProblemAsync(HttpStatusCode.Unauthorized);
        Assert.False(plain.TryGetProperty("mfa_required", out _));
    }

    [Fact]
    public async Task A_code_logs_in_with_amr_pwd_otp_which_a_refresh_keeps()
    {
        var alice = await EnrolAliceAsync();

        var response = await LoginAsync(totpCode: CodeNow(alice.Secret));

        Assert.Equal(["pwd", "otp"], await AmrAsync(response));
        var tokens = (await (await LoginAsync(totpCode: CodeNow(alice.Secret, 1))).Content.ReadFromJsonAsync<TokenResponse>(JwtAuthApplication.Json))!;
        var refreshed = await _app.RefreshAsync(tokens.RefreshToken);
        Assert.Equal(["pwd", "otp"], await AmrAsync(refreshed));
        using var client = _app.CreateClient(tokens.AccessToken);
        await (await client.GetAsync("/me")).EnsureStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_password_login_has_amr_pwd_and_so_has_its_refresh()
    {
        await _app.CreateUserAsync("alice");
        var tokens = await _app.LoginAsync("alice");

        Assert.Equal(["pwd"], [.. TokenForge.DecodePayload(tokens.AccessToken)["amr"]!.AsArray().Select(m => m!.GetValue<string>())]);
        Assert.Equal(["pwd"], await AmrAsync(await _app.RefreshAsync(tokens.RefreshToken)));
    }

    [Fact]
    public async Task A_code_is_accepted_once()
    {
        var alice = await EnrolAliceAsync();
        var code = CodeNow(alice.Secret);
        await (await LoginAsync(totpCode: code)).EnsureStatusAsync(HttpStatusCode.OK);

        var replay = await LoginAsync(totpCode: code);

        var problem = await replay.ReadProblemAsync(HttpStatusCode.Unauthorized);
        Assert.True(problem.GetProperty("mfa_required").GetBoolean());
    }

    [Theory]
    [InlineData(-1, true)]
    [InlineData(1, true)]
    [InlineData(-2, false)]
    [InlineData(2, false)]
    public async Task One_step_of_drift_either_way_is_accepted_and_no_more(int steps, bool accepted)
    {
        var alice = await EnrolAliceAsync();
        _app.Time.Advance(TimeSpan.FromSeconds(90));

        var response = await LoginAsync(totpCode: CodeNow(alice.Secret, steps));

        await response.EnsureStatusAsync(accepted ? HttpStatusCode.OK : HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Wrong_codes_count_toward_the_lockout()
    {
        var alice = await EnrolAliceAsync();
        for (var i = 0; i < 4; i++)
        {
            await (await LoginAsync(totpCode: "000000")).EnsureStatusAsync(HttpStatusCode.Unauthorized);
        }

        var locked = await LoginAsync(totpCode: CodeNow(alice.Secret));

        await locked.ReadProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.Contains(await _app.AuditEventsAsync(), e => e.Type == AuditEventTypes.LoginFailed && e.Detail == "wrong or replayed TOTP code");
    }

    [Fact]
    public async Task A_right_password_without_a_code_does_not_clear_the_count_of_wrong_codes()
    {
        var alice = await EnrolAliceAsync();
        for (var i = 0; i < 2; i++)
        {
            await LoginAsync(totpCode: "000000");
            await LoginAsync();
        }

        var locked = await LoginAsync(totpCode: CodeNow(alice.Secret));

        await locked.ReadProblemAsync(HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public async Task A_recovery_code_logs_in_once_however_it_is_typed()
    {
        var alice = await EnrolAliceAsync();
        var typed = alice.RecoveryCodes[3].Replace("-", "", StringComparison.Ordinal).ToUpperInvariant();

        Assert.Equal(["pwd", "otp"], await AmrAsync(await LoginAsync(recoveryCode: typed)));
        var again = await LoginAsync(recoveryCode: alice.RecoveryCodes[3]);

        await again.ReadProblemAsync(HttpStatusCode.Unauthorized);
        await (await LoginAsync(recoveryCode: alice.RecoveryCodes[4])).EnsureStatusAsync(HttpStatusCode.OK);
        Assert.Contains(await _app.AuditEventsAsync(), e => e.Type == AuditEventTypes.RecoveryCodeUsed && e.Detail == "8 recovery codes left");
    }

    [Fact]
    public async Task Another_users_codes_do_not_log_in()
    {
        var alice = await EnrolAliceAsync();
        await _app.CreateUserAsync("bob");
        using (var bob = _app.CreateClient((await _app.LoginAsync("bob")).AccessToken))
        {
            var enrolled = await bob.PostAsJsonAsync("/me/mfa/totp", new { password = Password });
            var secret = JsonDocument.Parse(await enrolled.Content.ReadAsStringAsync()).RootElement.GetProperty("secret").GetString()!;
            await (await bob.PostAsJsonAsync("/me/mfa/totp/confirm", new { code = CodeNow(secret) })).EnsureStatusAsync(HttpStatusCode.OK);
            Assert.NotEqual(alice.Secret, secret);
        }
        using var client = _app.CreateClient();

        var withAlicesCode = await client.PostAsJsonAsync("/login", new { username = "bob", password = Password, totp_code = CodeNow(alice.Secret, 1) });
        var withAlicesRecoveryCode = await client.PostAsJsonAsync("/login", new { username = "bob", password = Password, recovery_code = alice.RecoveryCodes[0] });

        await withAlicesCode.ReadProblemAsync(HttpStatusCode.Unauthorized);
        await withAlicesRecoveryCode.ReadProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("12345", null, "totp_code")]
    [InlineData("abcdef", null, "totp_code")]
    [InlineData(null, "not-a-code", "recovery_code")]
    public async Task A_malformed_code_is_400_on_its_field(string? totpCode, string? recoveryCode, string field)
    {
        await EnrolAliceAsync();

        var problem = await (await LoginAsync(totpCode: totpCode, recoveryCode: recoveryCode)).ReadProblemAsync(HttpStatusCode.BadRequest);

        Assert.NotEmpty(problem.FieldErrors(field));
    }

    [Fact]
    public async Task The_token_endpoint_asks_for_a_code_and_takes_one()
    {
        var alice = await EnrolAliceAsync();
        using var client = _app.CreateClient();

        var withoutCode = await client.PostAsync("/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password", ["username"] = "alice", ["password"] = Password,
        }));
        var withCode = await client.PostAsync("/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password", ["username"] = "alice", ["password"] = Password, ["totp_code"] = CodeNow(alice.Secret),
        }));

        await withoutCode.EnsureStatusAsync(HttpStatusCode.BadRequest);
        var error = JsonDocument.Parse(await withoutCode.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("invalid_grant", error.GetProperty("error").GetString());
        Assert.True(error.GetProperty("mfa_required").GetBoolean());
        Assert.Equal(["pwd", "otp"], await AmrAsync(withCode));
    }

    [Fact]
    public async Task The_secret_is_encrypted_at_rest_and_another_instance_on_the_same_database_reads_it()
    {
        var alice = await EnrolAliceAsync();

        var stored = await _app.WithDbAsync(db => db.Users.AsNoTracking().SingleAsync(u => u.Id == alice.UserId));
        var recoveryHashes = await _app.WithDbAsync(db => db.RecoveryCodes.AsNoTracking().Select(c => c.CodeHash).ToListAsync());
        Assert.NotNull(stored.TotpSecret);
        Assert.DoesNotContain(alice.Secret, stored.TotpSecret, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(10, recoveryHashes.Count);
        Assert.All(alice.RecoveryCodes, code => Assert.DoesNotContain(recoveryHashes, hash => hash.Contains(code.Replace("-", ""), StringComparison.Ordinal)));

        using var other = new JwtAuthApplication(_app);
        using var client = other.CreateClient();
        var response = await client.PostAsJsonAsync("/login", new { username = "alice", password = Password, totp_code = Totp.Code(alice.Secret, other.Time.GetUtcNow()) });

        Assert.Equal(["pwd", "otp"], await AmrAsync(response));
    }

    [Fact]
    public async Task Enrolment_needs_the_password_and_is_refused_while_two_factor_is_on()
    {
        await EnrolAliceAsync();
        using var client = _app.CreateClient(await LoginWithCodeAsync());

        var missing = await client.PostAsJsonAsync("/me/mfa/totp", new { });
        var again = await client.PostAsJsonAsync("/me/mfa/totp", new { password = Password });

        Assert.NotEmpty((await missing.ReadProblemAsync(HttpStatusCode.BadRequest)).FieldErrors("password"));
        await again.ReadProblemAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Enrolment_with_a_wrong_password_is_400_and_counts_toward_the_lockout()
    {
        await _app.CreateUserAsync("alice");
        using var client = _app.CreateClient((await _app.LoginAsync("alice")).AccessToken);
        for (var i = 0; i < 4; i++)
        {
            var wrong = await client.PostAsJsonAsync("/me/mfa/totp", new { password = "not the password" });
            Assert.NotEmpty((await wrong.ReadProblemAsync(HttpStatusCode.BadRequest)).FieldErrors("password"));
        }

        await (await client.PostAsJsonAsync("/me/mfa/totp", new { password = Password })).ReadProblemAsync(HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public async Task Two_factor_endpoints_need_a_token()
    {
        using var client = _app.CreateClient();

        await (await client.PostAsJsonAsync("/me/mfa/totp", new { password = Password })).EnsureStatusAsync(HttpStatusCode.Unauthorized);
        await (await client.PostAsJsonAsync("/me/mfa/totp/confirm", new { code = "123456" })).EnsureStatusAsync(HttpStatusCode.Unauthorized);
        await (await client.SendAsync(new HttpRequestMessage(HttpMethod.Delete, "/me/mfa/totp") { Content = JsonContent.Create(new { password = Password, code = "123456" }) }))
            .EnsureStatusAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Confirmation_with_a_wrong_code_or_before_enrolment_is_400()
    {
        await _app.CreateUserAsync("alice");
        using var client = _app.CreateClient((await _app.LoginAsync("alice")).AccessToken);

        var early = await client.PostAsJsonAsync("/me/mfa/totp/confirm", new { code = "123456" });
        var enrolled = await client.PostAsJsonAsync("/me/mfa/totp", new { password = Password });
        var secret = JsonDocument.Parse(await enrolled.Content.ReadAsStringAsync()).RootElement.GetProperty("secret").GetString()!;
        var wrong = await client.PostAsJsonAsync("/me/mfa/totp/confirm", new { code = CodeNow(secret, 3) });

        Assert.NotEmpty((await early.ReadProblemAsync(HttpStatusCode.BadRequest)).FieldErrors("code"));
        Assert.NotEmpty((await wrong.ReadProblemAsync(HttpStatusCode.BadRequest)).FieldErrors("code"));
        Assert.Equal(["pwd"], await AmrAsync(await LoginAsync()));
    }

    [Fact]
    public async Task Turning_off_needs_the_password_and_a_right_code_and_is_audited()
    {
        var alice = await EnrolAliceAsync();
        using var client = _app.CreateClient(await LoginWithCodeAsync());

        var wrongCode = await TurnOffAsync(client, Password, "000000");
        var wrongPassword = await TurnOffAsync(client, "not the password", CodeNow(alice.Secret, 1));
        var right = await TurnOffAsync(client, Password, CodeNow(alice.Secret, 1));

        Assert.NotEmpty((await wrongCode.ReadProblemAsync(HttpStatusCode.BadRequest)).FieldErrors("code"));
        Assert.NotEmpty((await wrongPassword.ReadProblemAsync(HttpStatusCode.BadRequest)).FieldErrors("password"));
        await right.EnsureStatusAsync(HttpStatusCode.NoContent);
        Assert.Equal(["pwd"], await AmrAsync(await LoginAsync()));
        Assert.Contains(await _app.AuditEventsAsync(), e => e.Type == AuditEventTypes.TwoFactorDisabled && e.UserId == alice.UserId);
        Assert.Equal(0, await _app.WithDbAsync(db => db.RecoveryCodes.CountAsync()));
    }

    [Fact]
    public async Task Turning_off_takes_a_recovery_code_when_the_authenticator_is_lost()
    {
        var alice = await EnrolAliceAsync();
        var tokens = (await (await LoginAsync(recoveryCode: alice.RecoveryCodes[0])).Content.ReadFromJsonAsync<TokenResponse>(JwtAuthApplication.Json))!;
        using var client = _app.CreateClient(tokens.AccessToken);

        var reused = await TurnOffAsync(client, Password, alice.RecoveryCodes[0]);
        var fresh = await TurnOffAsync(client, Password, alice.RecoveryCodes[1]);

        await reused.ReadProblemAsync(HttpStatusCode.BadRequest);
        await fresh.EnsureStatusAsync(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task Wrong_codes_at_turn_off_count_toward_the_lockout()
    {
        var alice = await EnrolAliceAsync();
        using var client = _app.CreateClient(await LoginWithCodeAsync());
        for (var i = 0; i < 4; i++)
        {
            await (await TurnOffAsync(client, Password, "000000")).EnsureStatusAsync(HttpStatusCode.BadRequest);
        }

        await (await TurnOffAsync(client, Password, CodeNow(alice.Secret, 1))).ReadProblemAsync(HttpStatusCode.TooManyRequests);
    }

    /// <summary>An access token of alice, logged in with the code of the current step.</summary>
    private async Task<string> LoginWithCodeAsync()
    {
        var response = await LoginAsync(totpCode: CodeNow(_alice!.Secret));
        await response.EnsureStatusAsync(HttpStatusCode.OK);
        return (await response.Content.ReadFromJsonAsync<TokenResponse>(JwtAuthApplication.Json))!.AccessToken;
    }

    private static Task<HttpResponseMessage> TurnOffAsync(HttpClient client, string password, string code) =>
        client.SendAsync(new HttpRequestMessage(HttpMethod.Delete, "/me/mfa/totp") { Content = JsonContent.Create(new { password, code }) });
}
