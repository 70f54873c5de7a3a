using JwtAuth.Infrastructure;
using JwtAuth.Passwords;
using JwtAuth.Users;
using Microsoft.AspNetCore.Http.HttpResults;

namespace JwtAuth.Account;

/// <summary>Forgotten passwords and address confirmation: the endpoints a link in a mail leads to.</summary>
public static class PasswordResetEndpoints
{
    public sealed record ForgotPasswordRequest(string? Email);

    public sealed record ResetPasswordRequest(string? Token, string? NewPassword);

    public sealed record ConfirmEmailRequest(string? Token);

    public const string InvalidTokenMessage = "The token is invalid, expired or already used.";

    /// <summary><c>/forgot</c> and <c>/reset</c>, under the prefix Program.cs gives (<c>/password</c>).</summary>
    public static RouteGroupBuilder MapPasswordReset(this RouteGroupBuilder group)
    {
        group.WithTags("Accounts").RequireRateLimiting(ClientRateLimiting.Policy);
        group.MapPost("/forgot", Forgot)
            .WithSummary("Mails a reset link to the address if an account has confirmed it; the answer is the same either way.");
        group.MapPost("/reset", ResetAsync)
            .WithMetadata(HashesPasswords.Metadata)
            .WithSummary("Spends a reset token and sets a new password; every session of the account ends.");
        return group;
    }

    /// <summary><c>/confirm</c>, under the prefix Program.cs gives (<c>/email</c>).</summary>
    public static RouteGroupBuilder MapEmailConfirmation(this RouteGroupBuilder group)
    {
        group.WithTags("Accounts").RequireRateLimiting(ClientRateLimiting.Policy);
        group.MapPost("/confirm", ConfirmAsync).WithSummary("Spends a confirmation token: the account's address is confirmed.");
        return group;
    }

    private static Results<Accepted, ValidationProblem, ProblemHttpResult> Forgot(ForgotPasswordRequest request, HttpContext http, UserAccounts accounts)
    {
        if (!EmailRules.TryNormalize(request.Email, out var email, out var error))
        {
            return new ValidationErrors().Add("email", error).ToProblem();
        }
        return accounts.RequestPasswordReset(email) switch
        {
            PasswordResetRequestOutcome.Accepted => TypedResults.Accepted((string?)null),
            PasswordResetRequestOutcome.MailUnavailable => Problems.Status(StatusCodes.Status503ServiceUnavailable, MailProblems.UnavailableTitle),
            PasswordResetRequestOutcome.TooManyRequests limited => Problems.TooManyRequests(http, limited.RetryAfter, "Too many reset requests for this address; try again later."),
            _ => throw new InvalidOperationException("Unknown outcome."),
        };
    }

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> ResetAsync(
        ResetPasswordRequest request, HttpContext http, UserAccounts accounts, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        if (string.IsNullOrEmpty(request.Token)) errors.Add("token", "The token is required.");
        if (!PasswordRules.TryValidate(request.NewPassword, out var passwordError)) errors.Add("new_password", passwordError);
        if (errors.Any) return errors.ToProblem();

        return await accounts.ResetPasswordAsync(request.Token, request.NewPassword!, cancellationToken) switch
        {
            PasswordResetOutcome.Reset => TypedResults.NoContent(),
            PasswordResetOutcome.InvalidToken => new ValidationErrors().Add("token", InvalidTokenMessage).ToProblem(),
            PasswordResetOutcome.InvalidPassword invalid => new ValidationErrors().Add("new_password", invalid.Error).ToProblem(),
            PasswordResetOutcome.Busy busy => Problems.ServiceUnavailable(http, busy.RetryAfter, Problems.HashingBusyTitle),
            _ => throw new InvalidOperationException("Unknown outcome."),
        };
    }

    private static async Task<Results<NoContent, ValidationProblem>> ConfirmAsync(
        ConfirmEmailRequest request, UserAccounts accounts, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(request.Token))
        {
            return new ValidationErrors().Add("token", "The token is required.").ToProblem();
        }
        return await accounts.ConfirmEmailAsync(request.Token, cancellationToken)
            ? TypedResults.NoContent()
            : new ValidationErrors().Add("token", InvalidTokenMessage).ToProblem();
    }
}
