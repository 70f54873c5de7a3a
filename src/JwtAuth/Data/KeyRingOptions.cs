using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;

namespace JwtAuth.Data;

/// <summary>The <c>DataProtection</c> section: a certificate that encrypts the key ring kept in the database, so that a
/// copy of the database alone does not hold what decrypts the TOTP secrets.</summary>
public sealed class KeyRingOptions
{
    public const string Section = "DataProtection";

    /// <summary>A PKCS#12 file (<c>.pfx</c>) with an RSA key pair; every key written from now on is encrypted to it.</summary>
    public CertificateFile? Certificate { get; set; }

    /// <summary>Certificates used before, kept to decrypt the keys they encrypted.</summary>
    public List<CertificateFile> PreviousCertificates { get; set; } = [];
}

public sealed class CertificateFile
{
    public string? Path { get; set; }

    public string? Password { get; set; }

    /// <summary>The certificate with its private key, or why it cannot be used.</summary>
    public X509Certificate2 Load()
    {
        var certificate = X509CertificateLoader.LoadPkcs12FromFile(Path!, Password, X509KeyStorageFlags.EphemeralKeySet);
        using var key = certificate.GetRSAPrivateKey();
        if (key is null)
        {
            certificate.Dispose();
            throw new CryptographicException("it holds no RSA private key");
        }
        return certificate;
    }
}

public sealed class KeyRingOptionsValidator : IValidateOptions<KeyRingOptions>
{
    public ValidateOptionsResult Validate(string? name, KeyRingOptions options)
    {
        var errors = new List<string>();
        if (options.Certificate is { } current)
        {
            Check(current, $"{KeyRingOptions.Section}:Certificate", errors);
        }
        for (var i = 0; i < options.PreviousCertificates.Count; i++)
        {
            Check(options.PreviousCertificates[i], $"{KeyRingOptions.Section}:PreviousCertificates:{i}", errors);
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void Check(CertificateFile file, string setting, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(file.Path))
        {
            errors.Add($"{setting}:Path is required: a PKCS#12 (.pfx) file with an RSA key pair.");
            return;
        }
        if (!File.Exists(file.Path))
        {
            errors.Add($"{setting}:Path: there is no file {System.IO.Path.GetFullPath(file.Path)}.");
            return;
        }
        try
        {
            file.Load().Dispose();
        }
        catch (CryptographicException ex)
        {
            errors.Add($"{setting}: {file.Path} cannot be used ({ex.Message.TrimEnd('.')}); check the file and {setting}:Password.");
        }
    }
}
