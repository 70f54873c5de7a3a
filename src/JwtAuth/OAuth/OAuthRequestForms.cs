using System.ComponentModel;
using System.Text.Json.Serialization;
using JwtAuth.Infrastructure;

namespace JwtAuth.OAuth;

/// <summary>The grant types of <c>/token</c>.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<OAuthGrantType>))]
public enum OAuthGrantType
{
    [JsonStringEnumMemberName(OAuthEndpoints.PasswordGrant)] Password,
    [JsonStringEnumMemberName(OAuthEndpoints.RefreshTokenGrant)] RefreshToken,
}

/// <summary>The RFC 7009 token type hints of <c>/revoke</c>.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<OAuthTokenTypeHint>))]
public enum OAuthTokenTypeHint
{
    [JsonStringEnumMemberName("access_token")] AccessToken,
    [JsonStringEnumMemberName("refresh_token")] RefreshToken,
}

/// <summary>The form of <c>/token</c>, as the OpenAPI document describes it; <see cref="OAuthForm"/> reads it. Optional
/// parameters are marked as left out when absent: a form has no null.</summary>
[JsonExample("""{"grant_type":"password","username":"alice","password":"correct horse battery staple","client_id":"my-spa"}""")]
public sealed record TokenRequestForm(
    OAuthGrantType GrantType,
    [property: Description("For grant_type=password."), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Username = null,
    [property: Description("For grant_type=password."), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Password = null,
    [property: Description("For grant_type=password with two-factor login on: the current 6-digit code."), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? TotpCode = null,
    [property: Description("For grant_type=password with two-factor login on: a recovery code, instead of a TOTP code."), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? RecoveryCode = null,
    [property: Description("For grant_type=refresh_token: a refresh token issued to the same client_id."), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? RefreshToken = null,
    [property: Description("Optional, 1 to 128 printable ASCII characters; becomes the tokens' client_id claim."), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ClientId = null,
    [property: Description("Accepted and ignored."), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Scope = null);

/// <summary>The form of <c>/revoke</c>, as the OpenAPI document describes it.</summary>
[JsonExample("""{"token":"eyJhbGciOiJIUzI1NiIsImtpZCI6IjIwMjYtMTEiLCJ0eXAiOiJydCtqd3QifQ.eyJzdWIiOiI...","token_type_hint":"refresh_token"}""")]
public sealed record RevocationRequestForm(
    [property: Description("An access or refresh token of this server, expired or not; its whole session ends.")] string Token,
    [property: Description("Which kind the token is; a wrong hint does not prevent the revocation."), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] OAuthTokenTypeHint? TokenTypeHint = null,
    [property: Description("Accepted and ignored."), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ClientId = null);
