using System.Text;
using JwtAuth.Infrastructure;

namespace JwtAuth.Passwords;

/// <summary>8 to 1024 characters (code points after NFKC normalisation) of any Unicode.</summary>
public static class PasswordRules
{
    public const int MinLength = 8;
    public const int MaxLength = 1024;

    public static bool TryValidate(string? password, out string error)
    {
        if (string.IsNullOrEmpty(password))
        {
            error = "The password is required.";
            return false;
        }
        if (password.Length > MaxLength * 2)
        {
            error = $"The password must be at most {MaxLength} characters.";
            return false;
        }
        if (!TryPrepare(password, out var prepared))
        {
            error = "The password contains invalid Unicode.";
            return false;
        }
        // Counted as code points of the NFKC form that is hashed, so "e" + combining acute counts once, as "é" does.
        var length = prepared.EnumerateRunes().Count();
        if (length < MinLength)
        {
            error = $"The password must be at least {MinLength} characters.";
            return false;
        }
        if (length > MaxLength)
        {
            error = $"The password must be at most {MaxLength} characters.";
            return false;
        }
        error = "";
        return true;
    }

    /// <summary>The same password typed with composed or decomposed characters hashes the same.</summary>
    public static string Prepare(string password) => password.Normalize(NormalizationForm.FormKC);

    /// <summary>Login accepts anything a valid password could be, and refuses only what could never be one.</summary>
    public static bool IsPlausible(string? password) =>
        !string.IsNullOrEmpty(password) && password.Length <= MaxLength * 2 && TryPrepare(password, out var prepared)
        && prepared.EnumerateRunes().Count() <= MaxLength;

    /// <summary>Normalisation throws on lone surrogates and on some noncharacters such as U+FFFE.</summary>
    private static bool TryPrepare(string password, out string prepared)
    {
        prepared = "";
        if (UnicodeText.HasLoneSurrogate(password)) return false;
        try
        {
            prepared = Prepare(password);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
