using JwtAuth.Infrastructure;

namespace JwtAuth.Users;

public static class UserServices
{
    public static IServiceCollection AddUsers(this IServiceCollection services)
    {
        services.AddSettings<LockoutOptions, LockoutOptionsValidator>(LockoutOptions.Section);
        services.AddSettings<RegistrationOptions>(RegistrationOptions.Section);
        services.AddSettings<BootstrapOptions, BootstrapOptionsValidator>(BootstrapOptions.Section);
        services.AddSettings<AccountOptions, AccountOptionsValidator>(AccountOptions.Section);
        services.AddSingleton<AccountLinks>();
        services.AddSingleton<TwoFactorCodes>();
        services.AddSingleton<PasswordResetRequests>();
        services.AddHostedService<PasswordResetMailer>();
        services.AddSingleton<LoginMetrics>();
        services.AddScoped<LoginLockout>();
        services.AddScoped<AddressMailLimit>();
        services.AddScoped<UserAccounts>();
        services.AddScoped<UserDirectory>();
        services.AddRolePolicies();
        return services;
    }
}
