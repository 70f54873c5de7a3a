using JwtAuth.Audit;
using JwtAuth.Auth;
using JwtAuth.Cli;
using JwtAuth.Data;
using JwtAuth.Infrastructure;
using JwtAuth.Tokens;
using JwtAuth.Users;

if (AdminCommandLine.Handles(args))
{
    return await AdminCommandLine.RunAsync(args, CliConsole.FromSystemConsole());
}

var builder = Startup.CreateBuilder(args);

builder.Services.AddApiDefaults(builder.Configuration);
builder.Services.AddAuthDatabase(builder.Configuration);
builder.Services.AddTokens(builder.Configuration);
builder.Services.AddUsers(builder.Configuration);
builder.Services.AddAuth(builder.Configuration);
builder.Services.AddAudit(builder.Configuration);

var app = builder.Build();

app.UseApiDefaults();
app.UsePasswordHashingQueue();
app.UseAuthentication();
app.UseAuthorization();
app.UseRateLimiter();

app.MapAuth();
app.MapOAuth();
app.MapUsers();
app.MapAdmin();
app.MapAudit();
app.MapHealthAndOpenApi();

return await app.RunJwtAuthAsync();

/// <summary>The entry point, visible to <c>WebApplicationFactory&lt;Program&gt;</c>.</summary>
public partial class Program;
