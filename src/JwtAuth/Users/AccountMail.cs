using JwtAuth.Mail;

namespace JwtAuth.Users;

/// <summary>The texts of the account mails.</summary>
public static class AccountMail
{
    public const string ConfirmationSubject = "Confirm your email address";
    public const string ResetSubject = "Reset your password";

    public static OutgoingMail Confirmation(string to, string username, string link, TimeSpan lifetime) => new(to, ConfirmationSubject,
        $"""
        Hello {username},

        Confirm that this is your address by opening this link within {Describe(lifetime)}:

        {link}

        If you did not give this address, you can ignore this mail.
        """);

    public static OutgoingMail Reset(string to, string username, string link, TimeSpan lifetime) => new(to, ResetSubject,
        $"""
        Hello {username},

        Someone asked to reset the password of your account. To choose a new password, open this link within {Describe(lifetime)}:

        {link}

        The link works once. If you did not ask for it, ignore this mail: your password stays as it is.
        """);

    private static string Describe(TimeSpan span) =>
        span.TotalDays >= 1 && span.TotalDays % 1 == 0 ? $"{span.TotalDays:0} day{(span.TotalDays == 1 ? "" : "s")}"
        : span.TotalHours >= 1 && span.TotalHours % 1 == 0 ? $"{span.TotalHours:0} hour{(span.TotalHours == 1 ? "" : "s")}"
        : $"{Math.Ceiling(span.TotalMinutes):0} minutes";
}
