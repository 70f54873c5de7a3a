using JwtAuth.Mail;
using Microsoft.Extensions.Options;

namespace JwtAuth.Users;

/// <summary>The <c>Accounts</c> section: the single-use tokens sent by mail, and the base of the links in them.</summary>
public sealed class AccountOptions
{
    public const string Section = "Accounts";

    public TimeSpan ResetTokenLifetime { get; set; } = TimeSpan.FromMinutes(30);

    public TimeSpan ConfirmationTokenLifetime { get; set; } = TimeSpan.FromDays(2);

    /// <summary>Where users open the links of the mails, e.g. <c>https://auth.example.com</c>; the page there handles
    /// <c>/#reset=</c> and <c>/#confirm=</c>. In Development it defaults to the request's own origin.</summary>
    public string? PublicBaseUrl { get; set; }
}

public sealed class AccountOptionsValidator(IHostEnvironment environment, IOptions<MailOptions> mail) : IValidateOptions<AccountOptions>
{
    public ValidateOptionsResult Validate(string? name, AccountOptions options)
    {
        var errors = new List<string>();
        if (options.ResetTokenLifetime <= TimeSpan.Zero) errors.Add("Accounts:ResetTokenLifetime must be positive.");
        if (options.ConfirmationTokenLifetime <= TimeSpan.Zero) errors.Add("Accounts:ConfirmationTokenLifetime must be positive.");
        if (string.IsNullOrWhiteSpace(options.PublicBaseUrl))
        {
            if (!environment.IsDevelopment() && mail.Value.HasSmtpServer)
            {
                errors.Add("Accounts:PublicBaseUrl is required when Email:Smtp:Host is set outside Development: " +
                           "it is the base of the links in the mails, for example https://auth.example.com.");
            }
        }
        else if (!Uri.TryCreate(options.PublicBaseUrl, UriKind.Absolute, out var url)
                 || url.Scheme is not ("https" or "http") || !string.IsNullOrEmpty(url.Query) || !string.IsNullOrEmpty(url.Fragment)
                 || !string.IsNullOrEmpty(url.UserInfo))
        {
            errors.Add($"Accounts:PublicBaseUrl '{options.PublicBaseUrl}' must be an absolute http or https URL without query or fragment, such as https://auth.example.com.");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
