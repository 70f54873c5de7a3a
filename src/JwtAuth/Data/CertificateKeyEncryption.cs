using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography.Xml;
using System.Xml;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;

namespace JwtAuth.Data;

/// <summary>Encrypts each new Data Protection key to the certificate of <c>DataProtection:Certificate</c> (XML
/// Encryption: the key under AES-256, that key under the certificate's RSA key with OAEP), and names
/// <see cref="CertificateKeyDecryptor"/> to read it back.</summary>
public sealed class CertificateKeyEncryptor(X509Certificate2 certificate, ILoggerFactory loggers) : IXmlEncryptor
{
    private readonly CertificateXmlEncryptor _encryptor = new(certificate, loggers);

    public EncryptedXmlInfo Encrypt(XElement plaintextElement) =>
        new(_encryptor.Encrypt(plaintextElement).EncryptedElement, typeof(CertificateKeyDecryptor));
}

/// <summary>Decrypts a key with whichever configured certificate it was encrypted to (matched by thumbprint), current or
/// previous; Data Protection creates it by its type name, with the application's services.</summary>
public sealed class CertificateKeyDecryptor(IServiceProvider services) : IXmlDecryptor
{
    public XElement Decrypt(XElement encryptedElement)
    {
        var certificates = services.GetRequiredService<KeyRingCertificates>().All.ToList();
        var document = new XmlDocument { XmlResolver = null };
        using (var reader = new XElement("root", encryptedElement).CreateReader())
        {
            document.Load(reader);
        }
        new WithCertificates(document, certificates).DecryptDocument();
        using var decrypted = new XmlNodeReader(document.DocumentElement!.FirstChild!);
        return XElement.Load(decrypted);
    }

    private sealed class WithCertificates(XmlDocument document, IReadOnlyList<X509Certificate2> certificates) : EncryptedXml(document)
    {
        public override byte[]? DecryptEncryptedKey(EncryptedKey encryptedKey)
        {
            var named = encryptedKey.KeyInfo.OfType<KeyInfoX509Data>().SelectMany(data => data.Certificates?.OfType<X509Certificate2>() ?? []);
            foreach (var wanted in named)
            {
                var certificate = certificates.FirstOrDefault(c => c.Thumbprint == wanted.Thumbprint);
                using var key = certificate?.GetRSAPrivateKey();
                if (key is not null)
                {
                    return DecryptKey(encryptedKey.CipherData.CipherValue!, key, encryptedKey.EncryptionMethod?.KeyAlgorithm == XmlEncRSAOAEPUrl);
                }
            }
            throw new System.Security.Cryptography.CryptographicException(
                "None of the certificates in DataProtection:Certificate and DataProtection:PreviousCertificates decrypts this key.");
        }
    }
}
