using JwtAuth.Tokens;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using OtpNet;
using QRCoder;

namespace JwtAuth.Users;

/// <summary>RFC 6238 TOTP as authenticator apps use it (SHA-1, 6 digits, 30 s steps, one step of drift either way),
/// with the shared secret encrypted at rest by ASP.NET Core Data Protection.</summary>
public sealed class TwoFactorCodes(IDataProtectionProvider dataProtection, IOptions<JwtOptions> jwt)
{
    public const int Digits = 6;
    public const int StepSeconds = 30;
    public const int SecretBytes = 20;

    private readonly IDataProtector _protector = dataProtection.CreateProtector("JwtAuth.Users.TotpSecret.v1");

    /// <summary>A new random secret: in base32 for the user, and encrypted for the database.</summary>
    public (string Base32, string Protected) NewSecret()
    {
        var secret = KeyGeneration.GenerateRandomKey(SecretBytes);
        return (Base32Encoding.ToString(secret), _protector.Protect(Base32Encoding.ToString(secret)));
    }

    /// <summary>The secret of the database column, as the user was given it.</summary>
    public string Reveal(string protectedSecret) => _protector.Unprotect(protectedSecret);

    /// <summary>The otpauth URI of Google Authenticator's key-URI format, which every authenticator app reads.</summary>
    public string KeyUri(string username, string base32Secret)
    {
        var issuer = jwt.Value.Issuer;
        return $"otpauth://totp/{Uri.EscapeDataString(issuer)}:{Uri.EscapeDataString(username)}" +
               $"?secret={base32Secret}&issuer={Uri.EscapeDataString(issuer)}&algorithm=SHA1&digits={Digits}&period={StepSeconds}";
    }

    /// <summary>The key URI as a QR code, an SVG document that a page can show as it is.</summary>
    public static string QrSvg(string keyUri)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(keyUri, QRCodeGenerator.ECCLevel.M);
        return new SvgQRCode(data).GetGraphic(5);
    }

    /// <summary>Whether the code is the secret's code for the step of <paramref name="utcNow"/> or a step either side;
    /// if so, <paramref name="step"/> is the step it matched, for the replay check.</summary>
    public bool TryMatch(string protectedSecret, string code, DateTime utcNow, out long step)
    {
        var totp = new Totp(Base32Encoding.ToBytes(Reveal(protectedSecret)), StepSeconds, OtpHashMode.Sha1, Digits);
        return totp.VerifyTotp(utcNow, code, out step, new VerificationWindow(previous: 1, future: 1));
    }

    /// <summary>Six ASCII digits: anything else is refused before any secret is read.</summary>
    public static bool IsPlausibleCode(string? code) => code is { Length: Digits } && code.All(char.IsAsciiDigit);
}
