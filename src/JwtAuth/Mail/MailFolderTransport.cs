using JwtAuth.Infrastructure;
using MimeKit;

namespace JwtAuth.Mail;

/// <summary>Development without an SMTP server: each mail is written as an <c>.eml</c> file under <c>data/mail/</c>
/// (any mail program opens it), and the log says where.</summary>
public sealed partial class MailFolderTransport(IHostEnvironment environment, TimeProvider time, ILogger<MailFolderTransport> logger) : IMailTransport
{
    public const string FolderName = "mail";

    public string Folder { get; } = Path.Combine(DataFolder.Of(environment), FolderName);

    public async Task SendAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Folder);
        var path = Path.Combine(Folder, $"{time.GetUtcNow():yyyyMMdd-HHmmss}-{Guid.NewGuid():N}.eml");
        await message.WriteToAsync(path, cancellationToken);
        LogWritten(logger, message.Subject ?? "", path);
    }

    [LoggerMessage(EventId = 6101, Level = LogLevel.Information, Message = "No SMTP server is set (Email:Smtp:Host): wrote the mail \"{Subject}\" to {Path}")]
    private static partial void LogWritten(ILogger logger, string subject, string path);
}
