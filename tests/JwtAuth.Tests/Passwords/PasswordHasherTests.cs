using JwtAuth.Users;
using Microsoft.Extensions.Options;
using JwtAuth.Passwords;

namespace JwtAuth.Tests.Passwords;

public sealed class PasswordHasherTests
{
    private static readonly string SharedPrefix = new('x', 72);

    private static BcryptPasswordHasher Hasher(int workFactor = 4) =>
        new(Options.Create(new PasswordOptions { BcryptWorkFactor = workFactor }));

    [Fact]
    public void Right_password_verifies_and_a_wrong_one_fails()
    {
        var hasher = Hasher();
        var hash = hasher.Hash("correct horse battery staple");

        Assert.Equal(PasswordCheck.Succeeded, hasher.Verify("correct horse battery staple", hash));
        Assert.Equal(PasswordCheck.Failed, hasher.Verify("correct horse battery stapl", hash));
    }

    [Fact]
    public void Passwords_longer_than_72_bytes_sharing_their_first_72_bytes_do_not_unlock_each_other()
    {
        var hasher = Hasher();
        var first = SharedPrefix + "first";
        var second = SharedPrefix + "second";

        var hash = hasher.Hash(first);

        Assert.Equal(PasswordCheck.Succeeded, hasher.Verify(first, hash));
        Assert.Equal(PasswordCheck.Failed, hasher.Verify(second, hash));
        Assert.Equal(PasswordCheck.Failed, hasher.Verify(SharedPrefix, hash));
    }

    [Fact]
    public void Multibyte_passwords_differing_past_byte_72_do_not_unlock_each_other()
    {
        var hasher = Hasher();
        var prefix = new string('\u00e9', 36);

        var hash = hasher.Hash(prefix + "a");

        Assert.Equal(PasswordCheck.Failed, hasher.Verify(prefix + "b", hash));
    }

    [Fact]
    public void Hash_uses_the_configured_work_factor_and_a_fresh_salt()
    {
        var hasher = Hasher(5);

        var first = hasher.Hash("correct horse battery staple");
        var second = hasher.Hash("correct horse battery staple");

        Assert.StartsWith("$2a$05$", first);
        Assert.NotEqual(first, second);
    }

    [Fact]
    public void Hash_with_a_lower_work_factor_verifies_and_asks_for_a_rehash()
    {
        var stored = Hasher(4).Hash("correct horse battery staple");

        var check = Hasher(5).Verify("correct horse battery staple", stored);

        Assert.Equal(PasswordCheck.SucceededNeedsRehash, check);
    }

    [Fact]
    public void Hash_with_a_higher_work_factor_needs_no_rehash()
    {
        var stored = Hasher(5).Hash("correct horse battery staple");

        Assert.Equal(PasswordCheck.Succeeded, Hasher(4).Verify("correct horse battery staple", stored));
    }

    [Fact]
    public void Wrong_password_against_an_old_hash_fails_without_asking_for_a_rehash()
    {
        var stored = Hasher(4).Hash("correct horse battery staple");

        Assert.Equal(PasswordCheck.Failed, Hasher(5).Verify("wrong horse battery staple", stored));
    }

    [Fact]
    public void Unknown_user_with_no_stored_hash_fails()
    {
        Assert.Equal(PasswordCheck.Failed, Hasher().Verify("correct horse battery staple", null));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not a hash")]
    [InlineData("$2a$04$short")]
    public void Corrupt_stored_hash_fails_instead_of_throwing(string stored)
    {
        Assert.Equal(PasswordCheck.Failed, Hasher().Verify("correct horse battery staple", stored));
    }

    [Fact]
    public void Composed_and_decomposed_forms_of_a_password_are_the_same_password()
    {
        var hasher = Hasher();

        var hash = hasher.Hash("caf\u00e9 au lait!");

        Assert.Equal(PasswordCheck.Succeeded, hasher.Verify("cafe\u0301 au lait!", hash));
    }
}
