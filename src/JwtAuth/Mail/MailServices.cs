using JwtAuth.Infrastructure;
using Microsoft.Extensions.Options;

namespace JwtAuth.Mail;

public static class MailServices
{
    /// <summary>SMTP when <c>Email:Smtp:Host</c> is set; otherwise <c>.eml</c> files in Development, and no transport
    /// elsewhere (the mail endpoints then answer 503). Mail goes through <see cref="MailOutbox"/> and
    /// <see cref="MailSender"/>.</summary>
    public static IServiceCollection AddMail(this IServiceCollection services)
    {
        services.AddSettings<MailOptions, MailOptionsValidator>(MailOptions.Section);
        services.AddSingleton<SmtpMailTransport>();
        services.AddSingleton<MailFolderTransport>();
        services.AddSingleton(provider =>
        {
            IMailTransport? transport = provider.GetRequiredService<IOptions<MailOptions>>().Value.HasSmtpServer
                ? provider.GetRequiredService<SmtpMailTransport>()
                : provider.GetRequiredService<IHostEnvironment>().IsDevelopment()
                    ? provider.GetRequiredService<MailFolderTransport>()
                    : null;
            return new MailOutbox(transport, provider.GetRequiredService<ILogger<MailOutbox>>());
        });
        services.AddHostedService<MailSender>();
        return services;
    }
}
