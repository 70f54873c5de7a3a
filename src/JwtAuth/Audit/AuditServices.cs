using JwtAuth.Infrastructure;

namespace JwtAuth.Audit;

public static class AuditServices
{
    public static IServiceCollection AddAudit(this IServiceCollection services)
    {
        services.AddSettings<AuditOptions, AuditOptionsValidator>(AuditOptions.Section);
        services.AddScoped<AuditLog>();
        services.AddScoped<AuditRetention>();
        return services;
    }
}
