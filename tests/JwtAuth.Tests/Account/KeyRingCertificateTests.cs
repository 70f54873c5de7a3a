using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using JwtAuth.Data;
using JwtAuth.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace JwtAuth.Tests.Account;

/// <summary><c>DataProtection:Certificate</c>: the Data Protection keys that encrypt the TOTP secrets are stored encrypted
/// to a certificate, so a copy of the database alone cannot decrypt the secrets; every instance with the certificate
/// reads them, and an instance without it refuses to start instead of failing two-factor logins one by one.</summary>
public sealed class KeyRingCertificateTests : IDisposable
{
    private const string CertificatePassword = "pfx password 1";

    private readonly string _folder = Directory.CreateTempSubdirectory("jwtauth-keyring-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>A self-signed certificate with an RSA key pair, as a .pfx file.</summary>
    private string WriteCertificate(string name, bool withPrivateKey = true)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        var path = Path.Combine(_folder, name + ".pfx");
        if (withPrivateKey)
        {
            File.WriteAllBytes(path, certificate.Export(X509ContentType.Pfx, CertificatePassword));
        }
        else
        {
            using var publicOnly = X509CertificateLoader.LoadCertificate(certificate.Export(X509ContentType.Cert));
            File.WriteAllBytes(path, publicOnly.Export(X509ContentType.Pfx, CertificatePassword));
        }
        return path;
    }

    private static (string, string?)[] Certificate(string path) =>
        [("DataProtection:Certificate:Path", path), ("DataProtection:Certificate:Password", CertificatePassword)];

    private static Task<List<string>> StoredKeysAsync(JwtAuthApplication app) =>
        app.WithDbAsync(db => db.Set<Microsoft.AspNetCore.DataProtection.EntityFrameworkCore.DataProtectionKey>().AsNoTracking().Select(k => k.Xml!).ToListAsync());

    private static async Task LogInWithCodeAsync(JwtAuthApplication app, TwoFactorEnrolment alice)
    {
        using var client = app.CreateClient();
        var response = await client.PostAsJsonAsync("/login", new
        {
            username = "alice", password = JwtAuthApplication.DefaultPassword, totp_code = Totp.Code(alice.Secret, app.Time.GetUtcNow()),
        });
        await response.EnsureStatusAsync(System.Net.HttpStatusCode.OK);
    }

    [Fact]
    public async Task With_a_certificate_the_keys_are_stored_encrypted_to_it_and_another_instance_with_it_reads_the_secrets()
    {
        using var app = new JwtAuthApplication(Certificate(WriteCertificate("current")));
        var alice = await TwoFactorEnrolment.EnrolAsync(app, "alice");

        var key = Assert.Single(await StoredKeysAsync(app));
        Assert.Contains("<encryptedSecret", key);
        Assert.Contains("JwtAuth.Data.CertificateKeyDecryptor", key, StringComparison.Ordinal);
        Assert.DoesNotContain("<masterKey", key);

        using var other = new JwtAuthApplication(app);
        await LogInWithCodeAsync(other, alice);
    }

    [Fact]
    public async Task Without_a_certificate_the_keys_are_stored_as_they_are()
    {
        using var app = new JwtAuthApplication();
        await TwoFactorEnrolment.EnrolAsync(app, "alice");

        var key = Assert.Single(await StoredKeysAsync(app));
        Assert.Contains("<masterKey", key);
        Assert.DoesNotContain("<encryptedSecret", key);
    }

    [Fact]
    public async Task A_new_certificate_with_the_old_one_among_the_previous_reads_the_keys_the_old_one_encrypted()
    {
        var old = WriteCertificate("old");
        using var app = new JwtAuthApplication(Certificate(old));
        var alice = await TwoFactorEnrolment.EnrolAsync(app, "alice");

        using var rotated = new JwtAuthApplication(app, [.. Certificate(WriteCertificate("new")),
            ("DataProtection:PreviousCertificates:0:Path", old), ("DataProtection:PreviousCertificates:0:Password", CertificatePassword)]);

        await LogInWithCodeAsync(rotated, alice);
    }

    [Theory]
    [InlineData("no certificate")]
    [InlineData("another certificate")]
    public async Task An_instance_that_cannot_decrypt_the_keys_refuses_to_start_saying_which_settings_would(string given)
    {
        using var app = new JwtAuthApplication(Certificate(WriteCertificate("current")));
        await TwoFactorEnrolment.EnrolAsync(app, "alice");
        var settings = ServerProcess.SharedSettings(app.Database);
        if (given == "another certificate")
        {
            settings["DataProtection__Certificate__Path"] = WriteCertificate("another");
            settings["DataProtection__Certificate__Password"] = CertificatePassword;
        }

        var (exitCode, stderr, stdout) = await ServerProcess.RunToExitAsync(_folder, settings);

        Assert.Equal(1, exitCode);
        Assert.Contains("of the Data Protection keys in the database cannot be decrypted", stderr);
        Assert.Contains("DataProtection:Certificate or DataProtection:PreviousCertificates", stderr);
        Assert.DoesNotContain("   at ", stderr + stdout);
    }

    [Fact]
    public void The_settings_refuse_a_missing_file_a_wrong_password_and_a_certificate_without_its_private_key()
    {
        var options = new KeyRingOptions
        {
            Certificate = new CertificateFile { Path = Path.Combine(_folder, "missing.pfx"), Password = CertificatePassword },
            PreviousCertificates =
            [
                new CertificateFile { Path = WriteCertificate("wrong-password"), Password = "not the password" },
                new CertificateFile { Path = WriteCertificate("public-only", withPrivateKey: false), Password = CertificatePassword },
                new CertificateFile { Path = WriteCertificate("good"), Password = CertificatePassword },
                new CertificateFile { Password = CertificatePassword },
            ],
        };

        var result = new KeyRingOptionsValidator().Validate(null, options);

        Assert.Collection(result.Failures!,
            failure => Assert.StartsWith("DataProtection:Certificate:Path: there is no file", failure),
            failure => Assert.StartsWith("DataProtection:PreviousCertificates:0: ", failure),
            failure => Assert.Contains("holds no RSA private key", failure),
            failure => Assert.StartsWith("DataProtection:PreviousCertificates:3:Path is required", failure));
    }

    [Fact]
    public async Task A_wrong_certificate_setting_stops_the_process_naming_it()
    {
        var settings = new Dictionary<string, string>
        {
            ["Database__ConnectionString"] = $"Data Source={Path.Combine(_folder, "jwtauth.db")}",
            ["Jwt__SigningKeys__0__Id"] = "k1",
            ["Jwt__SigningKeys__0__Secret"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["DataProtection__Certificate__Path"] = WriteCertificate("current"),
            ["DataProtection__Certificate__Password"] = "not the password",
        };

        var (exitCode, stderr, _) = await ServerProcess.RunToExitAsync(_folder, settings);

        Assert.Equal(1, exitCode);
        Assert.Contains("DataProtection:Certificate: ", stderr);
        Assert.DoesNotContain("   at ", stderr);
        Assert.False(File.Exists(Path.Combine(_folder, "jwtauth.db")));
    }
}
