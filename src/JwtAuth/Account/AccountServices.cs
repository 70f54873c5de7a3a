using Microsoft.AspNetCore.Http.Json;

namespace JwtAuth.Account;

public static class AccountServices
{
    public static IServiceCollection AddAccountEndpoints(this IServiceCollection services) =>
        services.Configure<JsonOptions>(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, AccountJsonContext.Default));
}
