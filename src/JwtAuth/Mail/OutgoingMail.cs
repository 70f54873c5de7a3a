namespace JwtAuth.Mail;

/// <summary>A plain-text mail to one recipient. Its text may hold a single-use token, so it is never logged.</summary>
public sealed record OutgoingMail(string To, string Subject, string Text);
