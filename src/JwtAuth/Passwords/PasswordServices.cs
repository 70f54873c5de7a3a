using JwtAuth.Infrastructure;

namespace JwtAuth.Passwords;

public static class PasswordServices
{
    /// <summary>bcrypt hashing, and the queue that runs it off the thread pool.</summary>
    public static IServiceCollection AddPasswords(this IServiceCollection services)
    {
        services.AddSettings<PasswordOptions, PasswordOptionsValidator>(PasswordOptions.Section);
        services.AddSingleton<BcryptPasswordHasher>();
        services.AddSingleton<IPasswordHasher>(provider => provider.GetRequiredService<BcryptPasswordHasher>());
        services.AddSingleton<PasswordHashingMetrics>();
        services.AddSingleton<PasswordHashingQueue>();
        return services;
    }
}
