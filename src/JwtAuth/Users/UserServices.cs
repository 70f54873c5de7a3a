using Microsoft.Extensions.Options;

namespace JwtAuth.Users;

public static class UserServices
{
    public static IServiceCollection AddUsers(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<PasswordOptions>().Bind(configuration.GetSection(PasswordOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<PasswordOptions>, PasswordOptionsValidator>();
        services.AddOptions<RegistrationOptions>().Bind(configuration.GetSection(RegistrationOptions.Section));
        services.AddOptions<BootstrapOptions>().Bind(configuration.GetSection(BootstrapOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<BootstrapOptions>, BootstrapOptionsValidator>();
        services.AddSingleton<BcryptPasswordHasher>();
        services.AddSingleton<IPasswordHasher>(provider => provider.GetRequiredService<BcryptPasswordHasher>());
        services.AddSingleton<PasswordHashingQueue>();
        services.AddRolePolicies();
        services.Configure<Microsoft.AspNetCore.Http.Json.JsonOptions>(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, UsersJsonContext.Default));
        return services;
    }
}
