using JwtAuth.Account;
using JwtAuth.Admin;
using JwtAuth.Auth;
using JwtAuth.Cli;
using JwtAuth.Hosting;
using JwtAuth.Infrastructure;
using JwtAuth.OAuth;
using JwtAuth.Passwords;
using JwtAuth.Users;

if (AdminCommandLine.Handles(args))
{
    return await AdminCommandLine.RunAsync(args, CliConsole.FromSystemConsole());
}

var builder = Startup.CreateBuilder(args);

builder.Services.AddApiDefaults();
builder.Services.AddJwtAuthServices();
builder.Services.AddAccountEndpoints();
builder.Services.AddHealth();
builder.Services.AddMetricsEndpoint();
builder.Services.AddApiReference();
builder.Services.AddDemoPage();

var app = builder.Build();

app.UseApiDefaults();
app.UseDemoPage();
app.UsePasswordHashingQueue();
app.UseAuthentication();
app.UseAuthorization();
app.UseRateLimiter();

app.MapGroup("").MapAuth();
app.MapGroup("").MapRegistration();
app.MapGroup("/me").MapMe();
app.MapGroup("/me/mfa/totp").MapTwoFactor();
app.MapGroup("/password").MapPasswordReset();
app.MapGroup("/email").MapEmailConfirmation();
app.MapGroup("").MapOAuth();

var admin = app.MapGroup("/admin").WithTags("Admin").RequireAuthorization(RolePolicies.AdminPolicy);
admin.MapGroup("/users").MapAdminUsers();
admin.MapGroup("/audit").MapAudit();

app.MapGroup("/health").MapHealth();
app.MapGroup("/metrics").MapMetrics();
app.MapApiReference();

return await app.RunJwtAuthAsync();

/// <summary>The entry point, visible to <c>WebApplicationFactory&lt;Program&gt;</c>.</summary>
public partial class Program;
