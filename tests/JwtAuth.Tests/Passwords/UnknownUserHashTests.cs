using JwtAuth.Tests.Infrastructure;
using JwtAuth.Users;
using Microsoft.Extensions.DependencyInjection;
using JwtAuth.Passwords;

namespace JwtAuth.Tests.Passwords;

public sealed class UnknownUserHashTests
{
    [Fact]
    public void The_hash_unknown_users_are_checked_against_is_made_at_start_up_not_at_the_first_login()
    {
        using var app = new JwtAuthApplication();

        var hasher = app.Services.GetRequiredService<BcryptPasswordHasher>();

        Assert.True(hasher.IsWarm);
    }
}
