using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;

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
        services.AddSingleton<ValidatedTokenCache>();
        services.AddSingleton<RevokedSessionSync>();
        services.AddHostedService(provider => provider.GetRequiredService<RevokedSessionSync>());

        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<TokenValidation, ValidatedTokenCache, SessionRevocations, TimeProvider>((bearer, validation, cache, revocations, time) =>
            {
                bearer.MapInboundClaims = false;
                bearer.TimeProvider = time;
                bearer.TokenValidationParameters = validation.AccessTokenParameters;
                bearer.Events = new JwtBearerEvents
                {
                    // A token seen before skips parsing and signature checks; its lifetime and session are still checked.
                    OnMessageReceived = context =>
                    {
                        if (BearerToken(context.Request) is { IsEmpty: false } token
                            && cache.Find(token, out var sessionId) is { } principal)
                        {
                            if (revocations.IsRevoked(sessionId))
                            {
                                context.Fail("The session has been revoked.");
                            }
                            else
                            {
                                context.Principal = principal;
                                context.Success();
                            }
                        }
                        return Task.CompletedTask;
                    },
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
                        else if (context.SecurityToken is JsonWebToken jwt)
                        {
                            cache.Add(jwt);
                        }
                        return Task.CompletedTask;
                    },
                };
            });
        return services;
    }

    /// <summary>The token of an <c>Authorization: Bearer</c> header, read the way JwtBearer reads it.</summary>
    private static ReadOnlySpan<char> BearerToken(HttpRequest request)
    {
        var authorization = request.Headers.Authorization;
        if (authorization.Count != 1 || authorization[0] is not { } value
            || !value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return default;
        }
        return value.AsSpan("Bearer ".Length).Trim();
    }
}
