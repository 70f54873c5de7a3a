using System.Security.Claims;
using BenchmarkDotNet.Attributes;
using JwtAuth.Sessions;
using JwtAuth.Tokens;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace JwtAuth.Benchmarks;

/// <summary>Signing an access token at login and refresh, and checking one on every authenticated request.</summary>
[MemoryDiagnoser]
public class AccessTokenBenchmarks
{
    private static readonly TokenSubject Subject = new(Guid.NewGuid(), "alice", ["admin"], ["pwd"]);
    private static readonly Guid SessionId = Guid.NewGuid();

    private AppServices _app = null!;
    private TokenIssuer _issuer = null!;
    private JsonWebTokenHandler _handler = null!;
    private TokenValidationParameters _parameters = null!;
    private string _token = null!;
    private ValidatedTokenCache _cache = null!;
    private RevokedSessions _revocations = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _app = await AppServices.StartAsync();
        _issuer = _app.Services.GetRequiredService<TokenIssuer>();
        _parameters = _app.Services.GetRequiredService<TokenValidation>().AccessTokenParameters;

        // The handler and parameters JwtBearer itself validates with, so the measurement follows the server's settings.
        var bearer = _app.Services.GetRequiredService<IOptionsMonitor<JwtBearerOptions>>().Get(JwtBearerDefaults.AuthenticationScheme);
        if (!ReferenceEquals(bearer.TokenValidationParameters, _parameters))
        {
            throw new InvalidOperationException("JwtBearer no longer validates with TokenValidation.AccessTokenParameters.");
        }
        _handler = bearer.TokenHandlers.OfType<JsonWebTokenHandler>().Single();
        _token = _issuer.IssueAccessToken(Subject, SessionId, UserSessions.FirstPartyClientId).Token;
        _cache = _app.Services.GetRequiredService<ValidatedTokenCache>();
        _revocations = _app.Services.GetRequiredService<RevokedSessions>();
        var validated = await _handler.ValidateTokenAsync(_token, _parameters);
        _cache.Add((JsonWebToken)validated.SecurityToken);
    }

    [GlobalCleanup]
    public async Task CleanupAsync() => await _app.DisposeAsync();

    [Benchmark]
    public IssuedToken IssueAccessToken() => _issuer.IssueAccessToken(Subject, SessionId, UserSessions.FirstPartyClientId);

    [Benchmark]
    public async Task<ClaimsIdentity> ValidateAccessToken()
    {
        var result = await _handler.ValidateTokenAsync(_token, _parameters);
        // JwtBearer builds its principal from the identity, so the claims are read here as on a real request.
        return result.IsValid ? result.ClaimsIdentity : throw new InvalidOperationException("The access token was refused.", result.Exception);
    }

    /// <summary>The path of a token seen before: the cache lookup and the revoked-session check JwtBearer's events do.</summary>
    [Benchmark]
    public ClaimsPrincipal ValidateCachedAccessToken()
    {
        var principal = _cache.Find(_token, out var sessionId) ?? throw new InvalidOperationException("The token is not cached.");
        return _revocations.Contains(sessionId) ? throw new InvalidOperationException("Revoked.") : principal;
    }
}
