using System.Globalization;
using System.Text;
using JwtAuth.Data;
using JwtAuth.Infrastructure;

namespace JwtAuth.Users;

/// <summary>Usernames are NFKC-normalised and compared case-insensitively, so look-alike spellings are one account.</summary>
public static class UsernameRules
{
    public const int MaxLength = User.MaxUsernameLength;

    public readonly record struct Username(string Display, string Normalized);

    public static bool TryNormalize(string? raw, out Username username, out string error)
    {
        username = default;
        if (string.IsNullOrEmpty(raw))
        {
            error = "The username is required.";
            return false;
        }
        if (UnicodeText.HasLoneSurrogate(raw) || !TryNormalizeKc(raw, out var display))
        {
            error = "The username contains invalid Unicode.";
            return false;
        }
        if (display.EnumerateRunes().Count() > MaxLength)
        {
            error = $"The username must be at most {MaxLength} characters.";
            return false;
        }
        foreach (var rune in display.EnumerateRunes())
        {
            var category = Rune.GetUnicodeCategory(rune);
            if (category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator
                or UnicodeCategory.ParagraphSeparator or UnicodeCategory.SpaceSeparator or UnicodeCategory.PrivateUse
                or UnicodeCategory.OtherNotAssigned || Rune.IsWhiteSpace(rune))
            {
                error = "The username must not contain spaces, control or formatting characters.";
                return false;
            }
        }
        username = new Username(display, Fold(display));
        error = "";
        return true;
    }

    /// <summary>A prefix of names as the stored unique keys start with it, so that any spelling of it finds them: the
    /// same normalisation and case folding as a name, without a name's rules on which characters it may hold.</summary>
    public static bool TryNormalizePrefix(string raw, out string normalizedPrefix, out string error)
    {
        normalizedPrefix = "";
        if (UnicodeText.HasLoneSurrogate(raw) || !TryNormalizeKc(raw, out var display))
        {
            error = "The username prefix contains invalid Unicode.";
            return false;
        }
        if (display.EnumerateRunes().Count() > MaxLength)
        {
            error = $"The username prefix must be at most {MaxLength} characters.";
            return false;
        }
        normalizedPrefix = Fold(display);
        error = "";
        return true;
    }

    /// <summary>The unique key of a name; only meaningful for names that passed <see cref="TryNormalize"/>.</summary>
    public static string Fold(string display) => display.ToUpperInvariant().Normalize(NormalizationForm.FormKC);

    private static bool TryNormalizeKc(string value, out string normalized)
    {
        try
        {
            normalized = value.Normalize(NormalizationForm.FormKC);
            return true;
        }
        catch (ArgumentException)
        {
            normalized = "";
            return false;
        }
    }
}
