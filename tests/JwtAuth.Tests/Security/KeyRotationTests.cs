using System.Net;
using System.Security.Cryptography;
using JwtAuth.Tests.Infrastructure;

namespace JwtAuth.Tests.Security;

/// <summary>Jwt:SigningKeys: key 0 signs, every listed key validates, and a key removed from the list stops validating.</summary>
public sealed class KeyRotationTests
{
    private static readonly string NewKeyId = "k-new";
    private static readonly string NewKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    [Fact]
    public async Task A_token_signed_with_a_validation_only_key_is_accepted_until_that_key_is_removed()
    {
        using var before = new JwtAuthApplication();
        await before.CreateUserAsync("alice");
        var oldToken = (await before.LoginAsync("alice")).AccessToken;
        var oldKeyId = before.SigningKeyId;
        var oldKey = Convert.ToBase64String(before.SigningKey);

        // The new key signs; the old one is kept at index 1 for validation only.
        using var promoted = new JwtAuthApplication(before,
            ("Jwt:SigningKeys:0:Id", NewKeyId), ("Jwt:SigningKeys:0:Secret", NewKey),
            ("Jwt:SigningKeys:1:Id", oldKeyId), ("Jwt:SigningKeys:1:Secret", oldKey));
        using var promotedClient = promoted.CreateClient(oldToken);
        var acceptedWhileKept = await promotedClient.GetAsync("/me");
        var newToken = (await promoted.LoginAsync("alice")).AccessToken;

        using var retired = new JwtAuthApplication(promoted, ("Jwt:SigningKeys:1:Id", null), ("Jwt:SigningKeys:1:Secret", null));
        using var retiredOld = retired.CreateClient(oldToken);
        using var retiredNew = retired.CreateClient(newToken);
        var refusedOnceRemoved = await retiredOld.GetAsync("/me");
        var newStillAccepted = await retiredNew.GetAsync("/me");

        await acceptedWhileKept.EnsureStatusAsync(HttpStatusCode.OK);
        Assert.Contains($"\"kid\":\"{NewKeyId}\"", Header(newToken));
        await refusedOnceRemoved.EnsureStatusAsync(HttpStatusCode.Unauthorized);
        await newStillAccepted.EnsureStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_key_added_at_index_1_validates_but_does_not_sign()
    {
        using var app = new JwtAuthApplication(("Jwt:SigningKeys:1:Id", NewKeyId), ("Jwt:SigningKeys:1:Secret", NewKey));
        var forged = ForgedToken.ValidAccessToken(app, NewKeyId).Sign(Convert.FromBase64String(NewKey));
        using var client = app.CreateClient(forged);
        await app.CreateUserAsync("alice");

        var me = await client.GetAsync("/me");
        var issued = (await app.LoginAsync("alice")).AccessToken;

        await me.EnsureStatusAsync(HttpStatusCode.OK);
        Assert.Contains($"\"kid\":\"{app.SigningKeyId}\"", Header(issued));
    }

    private static string Header(string token) => Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Decode(token.Split('.')[0]);
}
