using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;

namespace JwtAuth.Tokens;

public static class TokenServiceCollectionExtensions
{
    /// <summary>Signing keys, token issuing, and JwtBearer validation of access tokens with the revoked-session check.</summary>
    public static IServiceCollection AddTokens(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<JwtOptions>().Bind(configuration.GetSection(JwtOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<JwtOptions>, JwtOptionsValidator>();
        services.AddSingleton<IPostConfigureOptions<JwtOptions>, DevelopmentSigningKey>();
        services.AddOptions<RevocationOptions>().Bind(configuration.GetSection(RevocationOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RevocationOptions>, RevocationOptionsValidator>();

        services.AddSingleton<SigningKeyRing>();
        services.AddSingleton<TokenIssuer>();
        services.AddSingleton<TokenValidation>();
        services.AddSingleton<SessionRevocations>();
        services.AddSingleton<RevokedSessionSync>();
        services.AddHostedService(provider => provider.GetRequiredService<RevokedSessionSync>());

        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<TokenValidation, SessionRevocations, TimeProvider>((bearer, validation, revocations, time) =>
            {
                bearer.MapInboundClaims = false;
                bearer.TimeProvider = time;
                bearer.TokenValidationParameters = validation.AccessTokenParameters;
                bearer.Events = new JwtBearerEvents
                {
                    OnTokenValidated = context =>
                    {
                        var sid = context.Principal?.FindFirst(TokenClaims.SessionId)?.Value;
                        if (!Guid.TryParse(sid, out var sessionId))
                        {
                            context.Fail("The token has no session.");
                        }
                        else if (revocations.IsRevoked(sessionId))
                        {
                            context.Fail("The session has been revoked.");
                        }
                        return Task.CompletedTask;
                    },
                };
            });
        return services;
    }
}
