using JwtAuth.Passwords;

namespace JwtAuth.Users;

/// <summary>A new password for an account: <see cref="PasswordRules"/>, and not the account's own name however it is typed.</summary>
public static class PasswordPolicy
{
    public static bool TryValidate(string? password, string? normalizedUsername, out string error)
    {
        if (!PasswordRules.TryValidate(password, out error))
        {
            return false;
        }
        if (normalizedUsername is not null && UsernameRules.Fold(PasswordRules.Prepare(password!)) == normalizedUsername)
        {
            error = "The password must not be the username.";
            return false;
        }
        return true;
    }
}
