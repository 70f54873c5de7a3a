namespace JwtAuth.Account;

public static class MailProblems
{
    public const string UnavailableTitle = "This server cannot send mail: no mail server is configured (Email:Smtp:Host).";
}
