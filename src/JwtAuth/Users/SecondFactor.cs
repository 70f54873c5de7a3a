namespace JwtAuth.Users;

/// <summary>What a login offers beside the password: a TOTP code, a recovery code, or neither.</summary>
public sealed record SecondFactor(string? TotpCode, string? RecoveryCode)
{
    public static readonly SecondFactor None = new(null, null);

    public bool IsNone => TotpCode is null && RecoveryCode is null;

    /// <summary>The field errors of a login's codes, keyed as the request names them; the same rules for /login and /token.</summary>
    public static string? Problem(string? totpCode, string? recoveryCode, out string field)
    {
        field = totpCode is not null ? "totp_code" : "recovery_code";
        if (totpCode is not null && recoveryCode is not null) return "Send either a TOTP code or a recovery code, not both.";
        if (totpCode is not null && !TwoFactorCodes.IsPlausibleCode(totpCode)) return $"The TOTP code must be {TwoFactorCodes.Digits} digits.";
        if (recoveryCode is not null && RecoveryCodes.Normalize(recoveryCode) is null) return "The recovery code is not in the form xxxx-xxxx-xxxx-xxxx.";
        return null;
    }
}
