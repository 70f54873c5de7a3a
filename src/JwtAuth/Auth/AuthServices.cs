using Microsoft.Extensions.Options;

namespace JwtAuth.Auth;

public static class AuthServices
{
    public static IServiceCollection AddAuth(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<LockoutOptions>().Bind(configuration.GetSection(LockoutOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<LockoutOptions>, LockoutOptionsValidator>();
        services.AddClientRateLimiting(configuration);
        services.AddScoped<UserSessions>();
        services.AddScoped<LoginLockout>();
        services.AddScoped<PasswordLogin>();
        services.AddScoped<RefreshTokenRotation>();
        services.AddScoped<TokenRevocation>();
        return services;
    }
}
