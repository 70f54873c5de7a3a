using JwtAuth.Infrastructure;

namespace JwtAuth.Housekeeping;

public static class HousekeepingServices
{
    public static IServiceCollection AddHousekeeping(this IServiceCollection services)
    {
        services.AddSettings<HousekeepingOptions, HousekeepingOptionsValidator>(HousekeepingOptions.Section);
        services.AddSingleton<ExpiredRecordsCleanup>();
        services.AddHostedService(provider => provider.GetRequiredService<ExpiredRecordsCleanup>());
        return services;
    }
}
