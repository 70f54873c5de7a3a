using JwtAuth.Infrastructure;
using JwtAuth.Tokens;
using Microsoft.AspNetCore.Authentication.JwtBearer;

namespace JwtAuth.Sessions;

public static class SessionServices
{
    /// <summary>Sessions, refresh rotation, revocation and its sync between instances, and JwtBearer validation of
    /// access tokens with the revoked-session check.</summary>
    public static IServiceCollection AddSessions(this IServiceCollection services)
    {
        services.AddSettings<RevocationOptions, RevocationOptionsValidator>(RevocationOptions.Section);
        services.AddSingleton<SessionMetrics>();
        services.AddSingleton<RevokedSessions>();
        services.AddSingleton<RevokedSessionSync>();
        services.AddHostedService(provider => provider.GetRequiredService<RevokedSessionSync>());
        services.AddScoped<UserSessions>();
        services.AddScoped<RefreshTokenRotation>();
        services.AddScoped<SessionRevocation>();
        services.AddScoped<SessionExpiry>();

        services.AddSingleton<SessionBearerEvents>();
        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<TokenValidation, TimeProvider>((bearer, validation, time) =>
            {
                bearer.MapInboundClaims = false;
                bearer.TimeProvider = time;
                bearer.TokenValidationParameters = validation.AccessTokenParameters;
                bearer.EventsType = typeof(SessionBearerEvents);
            });
        return services;
    }
}
