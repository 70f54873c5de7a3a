namespace JwtAuth.Passwords;

public enum PasswordCheck
{
    Failed,
    Succeeded,
    SucceededNeedsRehash,
}

public interface IPasswordHasher
{
    string Hash(string password);

    /// <summary>Checks a password; with no stored hash (unknown user) it does the same work and fails.</summary>
    PasswordCheck Verify(string password, string? storedHash);
}
