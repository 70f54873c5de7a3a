namespace JwtAuth.Passwords;

/// <summary>Endpoint metadata of the endpoints that hash passwords: their requests do not hold hashing back.</summary>
public sealed class HashesPasswords
{
    public static readonly HashesPasswords Metadata = new();

    private HashesPasswords()
    {
    }
}
