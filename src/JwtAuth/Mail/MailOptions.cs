using Microsoft.Extensions.Options;
using MimeKit;

namespace JwtAuth.Mail;

/// <summary>The <c>Email</c> section: the SMTP server that sends account mail, and the sender's address.</summary>
public sealed class MailOptions
{
    public const string Section = "Email";

    public SmtpOptions Smtp { get; set; } = new();

    /// <summary>The sender, such as <c>JwtAuth &lt;no-reply@example.com&gt;</c>; required with an SMTP host.</summary>
    public string? From { get; set; }

    public bool HasSmtpServer => !string.IsNullOrWhiteSpace(Smtp.Host);
}

public sealed class SmtpOptions
{
    public string? Host { get; set; }

    public int Port { get; set; } = 587;

    public string? Username { get; set; }

    public string? Password { get; set; }

    /// <summary>TLS on connect for port 465, STARTTLS (required, never skipped) on any other; false sends in the clear,
    /// for a relay on the same host.</summary>
    public bool UseTls { get; set; } = true;
}

public sealed class MailOptionsValidator : IValidateOptions<MailOptions>
{
    public ValidateOptionsResult Validate(string? name, MailOptions options)
    {
        var errors = new List<string>();
        var smtp = options.Smtp;
        if (smtp.Port is < 1 or > 65535) errors.Add($"Email:Smtp:Port must be between 1 and 65535, not {smtp.Port}.");
        if (string.IsNullOrEmpty(smtp.Username) != string.IsNullOrEmpty(smtp.Password))
        {
            errors.Add("Email:Smtp:Username and Email:Smtp:Password must be given together.");
        }
        if (options.HasSmtpServer && string.IsNullOrWhiteSpace(options.From))
        {
            errors.Add("Email:From is required when Email:Smtp:Host is set, for example 'JwtAuth <no-reply@example.com>'.");
        }
        if (!string.IsNullOrWhiteSpace(options.From) && !MailboxAddress.TryParse(options.From, out _))
        {
            errors.Add($"Email:From '{options.From}' is not a mail address such as 'JwtAuth <no-reply@example.com>'.");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
