using System.Globalization;
using System.Text;
using JwtAuth.Data;
using JwtAuth.Infrastructure;

namespace JwtAuth.Users;

/// <summary>Email addresses are trimmed and NFKC-normalised, with the domain in lower case, and compared without
/// regard to case: <c>Alice@Example.com</c> and <c>alice@EXAMPLE.COM</c> are one address.</summary>
public static class EmailRules
{
    public const int MaxLength = User.MaxEmailLength;
    private const int MaxLocalPartLength = 64;

    public readonly record struct EmailAddress(string Display, string Normalized);

    public static bool TryNormalize(string? raw, out EmailAddress address, out string error)
    {
        address = default;
        var trimmed = raw?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            error = "The email address is required.";
            return false;
        }
        if (UnicodeText.HasLoneSurrogate(trimmed) || !TryNormalizeKc(trimmed, out var value))
        {
            error = "The email address contains invalid Unicode.";
            return false;
        }
        if (value.Length > MaxLength)
        {
            error = $"The email address must be at most {MaxLength} characters.";
            return false;
        }
        var at = value.LastIndexOf('@');
        var local = at > 0 ? value[..at] : "";
        var domain = at > 0 ? value[(at + 1)..] : "";
        if (local.Length == 0 || domain.Length == 0 || local.Length > MaxLocalPartLength || !IsValidLocalPart(local) || !TryAsciiDomain(domain, out _))
        {
            error = "The email address is not valid; expected something like name@example.com.";
            return false;
        }
        var display = local + "@" + domain.ToLowerInvariant();
        address = new EmailAddress(display, display.ToUpperInvariant());
        error = "";
        return true;
    }

    /// <summary>A dot-atom local part (RFC 5322) with Unicode letters allowed (RFC 6531); no quoted strings.</summary>
    private static bool IsValidLocalPart(string local)
    {
        if (local.StartsWith('.') || local.EndsWith('.') || local.Contains("..", StringComparison.Ordinal))
        {
            return false;
        }
        foreach (var rune in local.EnumerateRunes())
        {
            if (rune.IsAscii)
            {
                var c = (char)rune.Value;
                if (!(char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-/=?^_`{|}~.".Contains(c)))
                {
                    return false;
                }
            }
            else if (Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.SpaceSeparator
                     or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>A domain name with at least two labels, each a valid IDNA label.</summary>
    private static bool TryAsciiDomain(string domain, out string ascii)
    {
        ascii = "";
        try
        {
            ascii = new IdnMapping { UseStd3AsciiRules = true }.GetAscii(domain);
        }
        catch (ArgumentException)
        {
            return false;
        }
        var labels = ascii.Split('.');
        return labels.Length >= 2 && labels.All(label => label.Length is > 0 and <= 63) && !labels[^1].All(char.IsAsciiDigit);
    }

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
