using Microsoft.Extensions.Options;

namespace JwtAuth.Audit;

public static class AuditServices
{
    public static IServiceCollection AddAudit(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AuditOptions>().Bind(configuration.GetSection(AuditOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AuditOptions>, AuditOptionsValidator>();
        services.AddScoped<AuditLog>();
        services.AddHostedService<AuditRetention>();
        return services;
    }
}
