using JwtAuth.Infrastructure;

namespace JwtAuth.Tokens;

public static class TokenServices
{
    /// <summary>Signing keys, token issuing, the strict validation rules, and the cache of validated access tokens.</summary>
    public static IServiceCollection AddTokens(this IServiceCollection services)
    {
        services.AddSettings<JwtOptions, JwtOptionsValidator>(JwtOptions.Section);
        services.AddSingleton<Microsoft.Extensions.Options.IPostConfigureOptions<JwtOptions>, DevelopmentSigningKey>();
        services.AddSingleton<SigningKeyRing>();
        services.AddSingleton<TokenIssuer>();
        services.AddSingleton<TokenValidation>();
        services.AddSingleton<ValidatedTokenCache>();
        return services;
    }
}
