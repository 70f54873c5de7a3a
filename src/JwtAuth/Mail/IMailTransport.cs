using MimeKit;

namespace JwtAuth.Mail;

/// <summary>Where mail goes: an SMTP server, or in Development a folder of <c>.eml</c> files.</summary>
public interface IMailTransport
{
    Task SendAsync(MimeMessage message, CancellationToken cancellationToken);
}
