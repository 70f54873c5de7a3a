namespace JwtAuth.Users;

public static class Roles
{
    public const string Admin = "admin";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal) { Admin };
}
