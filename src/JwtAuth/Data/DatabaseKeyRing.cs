using System.Security.Cryptography.X509Certificates;
using System.Xml.Linq;
using JwtAuth.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace JwtAuth.Data;

/// <summary>ASP.NET Core Data Protection with its key ring in the database, under one application name, so that every
/// instance (and the command line) reads what any other protected. With <c>DataProtection:Certificate</c> the keys are
/// stored encrypted to that certificate; <c>DataProtection:PreviousCertificates</c> still decrypt the older ones.</summary>
public static class DatabaseKeyRing
{
    public const string ApplicationName = "JwtAuth";

    /// <summary>The element of a stored key that holds its secret when an encryptor was configured.</summary>
    private static readonly XName EncryptedSecret = XName.Get("encryptedSecret", "http://schemas.asp.net/2015/03/dataProtection");

    public static IServiceCollection AddDatabaseKeyRing(this IServiceCollection services)
    {
        services.AddSettings<KeyRingOptions, KeyRingOptionsValidator>(KeyRingOptions.Section);
        services.AddSingleton<KeyRingCertificates>();
        services.AddDataProtection()
            .SetApplicationName(ApplicationName)
            .PersistKeysToDbContext<AuthDbContext>();
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(provider => new ConfigureOptions<KeyManagementOptions>(options =>
        {
            if (provider.GetRequiredService<KeyRingCertificates>().Current is { } certificate)
            {
                options.XmlEncryptor = new CertificateKeyEncryptor(certificate, provider.GetRequiredService<ILoggerFactory>());
            }
        }));
        return services;
    }

    /// <summary>Refuses to start when a key in the database cannot be decrypted with the certificates given: the secrets
    /// protected with it (TOTP secrets) could not be read, and two-factor logins would fail one by one. Each encrypted key
    /// is decrypted here, before Data Protection reads the ring.</summary>
    public static async Task EnsureEveryKeyReadableAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AuthDbContext>();
        var stored = await db.DataProtectionKeys.AsNoTracking().Select(key => key.Xml).ToListAsync(cancellationToken);
        var decryptor = new CertificateKeyDecryptor(services);
        var unreadable = stored.OfType<string>().Select(XElement.Parse)
            .Where(key => key.Descendants(EncryptedSecret).Elements().FirstOrDefault() is { } secret && !CanDecrypt(decryptor, secret))
            .Select(key => (string?)key.Attribute("id"))
            .ToList();
        if (unreadable.Count > 0)
        {
            throw new OptionsValidationException(KeyRingOptions.Section, typeof(KeyRingOptions),
            [
                $"{KeyRingOptions.Section}: {unreadable.Count} of the Data Protection keys in the database cannot be decrypted " +
                $"(the first: {unreadable[0]}), so the TOTP secrets protected with them cannot be read. Give the certificate " +
                $"they were encrypted to in {KeyRingOptions.Section}:Certificate or {KeyRingOptions.Section}:PreviousCertificates.",
            ]);
        }
    }

    private static bool CanDecrypt(CertificateKeyDecryptor decryptor, XElement secret)
    {
        try
        {
            decryptor.Decrypt(secret);
            return true;
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return false;
        }
    }
}

/// <summary>The certificates of <see cref="KeyRingOptions"/>, loaded once.</summary>
public sealed class KeyRingCertificates(IOptions<KeyRingOptions> options) : IDisposable
{
    private readonly Lazy<X509Certificate2?> _current = new(() => options.Value.Certificate?.Load());
    private readonly Lazy<X509Certificate2[]> _previous = new(() => [.. options.Value.PreviousCertificates.Select(file => file.Load())]);

    public X509Certificate2? Current => _current.Value;

    /// <summary>Every certificate that may decrypt a key: the current one and the previous ones.</summary>
    public IEnumerable<X509Certificate2> All => Current is { } current ? [current, .. _previous.Value] : _previous.Value;

    public void Dispose()
    {
        if (_current.IsValueCreated) _current.Value?.Dispose();
        if (_previous.IsValueCreated) foreach (var certificate in _previous.Value) certificate.Dispose();
    }
}
