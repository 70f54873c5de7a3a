using System.ComponentModel;
using JwtAuth.Infrastructure;
using JwtAuth.Passwords;
using JwtAuth.Users;
using Microsoft.AspNetCore.Http.HttpResults;

namespace JwtAuth.Account;

/// <summary>Forgotten passwords and address confirmation: the endpoints a link in a mail leads to.</summary>
public static class PasswordResetEndpoints
{
    /// <summary>Required fields are non-nullable so the document marks them so; a missing one still binds as null and is
    /// answered with a 400 naming it.</summary>
    [JsonExample("""{"email":"alice@example.com"}""")]
    public sealed record ForgotPasswordRequest(
        [property: Description("The account's address. A reset mail goes to it only if an active account has confirmed it.")] string Email);

    [JsonExample("""{"token":"WicYx9oCvLJsDB3W-OiPAjip9rTg1knp53XNJX-3fP4","new_password":"a new and longer passphrase"}""")]
    public sealed record ResetPasswordRequest(
        [property: Description("The token of the reset mail (43 characters of base64url; the link carries it after /#reset=).")] string Token,
        [property: Description("8 to 1024 characters after NFKC normalisation; not the username.")] string NewPassword);

    [JsonExample("""{"token":"WicYx9oCvLJsDB3W-OiPAjip9rTg1knp53XNJX-3fP4"}""")]
    public sealed record ConfirmEmailRequest(
        [property: Description("The token of the confirmation mail (43 characters of base64url; the link carries it after /#confirm=).")] string Token);

    public const string InvalidTokenMessage = "The token is invalid, expired or already used.";
    public const string TooManyResetRequestsTitle = "Too many reset requests for this address; try again later.";

    /// <summary><c>/forgot</c> and <c>/reset</c>, under the prefix Program.cs gives (<c>/password</c>).</summary>
    public static RouteGroupBuilder MapPasswordReset(this RouteGroupBuilder group)
    {
        group.WithTags("Users").RequireRateLimiting(ClientRateLimiting.Policy);
        group.MapPost("/forgot", ForgotAsync)
            .WithName("ForgotPassword")
            .DocumentsProblem(StatusCodes.Status429TooManyRequests,
                $"Too many requests from this client, or more than {AddressMailLimit.PerAddressPerHour} for one address within an hour.")
            .DocumentsProblem(StatusCodes.Status503ServiceUnavailable, MailProblems.UnavailableTitle, ApiResponses.RetryAfter.Never)
            .WithSummary("Mails a reset link to the address if an account has confirmed it; the answer is the same either way.")
            .WithDescription("202 means the request was taken, not that a mail was sent: neither the answer nor its timing tells " +
                             "whether the address has an account. The mail's link leads to the demo page (`/#reset=` and the token), " +
                             "which spends the token at POST /password/reset within Accounts:ResetTokenLifetime. A newer mail voids the older ones.");
        group.MapPost("/reset", ResetAsync)
            .WithName("ResetPassword")
            .WithMetadata(HashesPasswords.Metadata)
            .DocumentsProblem(StatusCodes.Status429TooManyRequests, ClientRateLimiting.RejectedTitle)
            .DocumentsProblem(StatusCodes.Status503ServiceUnavailable, Problems.HashingBusyTitle)
            .WithSummary("Spends a reset token and sets a new password; every session of the account ends.")
            .WithDescription("An unknown, expired, spent or voided token is a 400 on `token`; a password the rules refuse is a " +
                             "400 on `new_password` and leaves the token unspent. The username's lockout is cleared.");
        return group;
    }

    /// <summary><c>/confirm</c>, under the prefix Program.cs gives (<c>/email</c>).</summary>
    public static RouteGroupBuilder MapEmailConfirmation(this RouteGroupBuilder group)
    {
        group.WithTags("Users").RequireRateLimiting(ClientRateLimiting.Policy);
        group.MapPost("/confirm", ConfirmAsync)
            .WithName("ConfirmEmail")
            .DocumentsProblem(StatusCodes.Status429TooManyRequests, ClientRateLimiting.RejectedTitle)
            .WithSummary("Spends a confirmation token: the account's address is confirmed.")
            .WithDescription("The token comes from the mail sent when the account was created with an address (its link leads " +
                             "to the demo page, `/#confirm=` and the token) and works within Accounts:ConfirmationTokenLifetime, " +
                             "for the address it was sent to. " +
                             "An unknown, expired, spent or voided token is a 400 on `token`.");
        return group;
    }

    private static async Task<Results<Accepted, ValidationProblem, ProblemHttpResult>> ForgotAsync(
        ForgotPasswordRequest request, HttpContext http, UserAccounts accounts, CancellationToken cancellationToken)
    {
        if (!EmailRules.TryNormalize(request.Email, out var email, out var error))
        {
            return new ValidationErrors().Add("email", error).ToProblem();
        }
        return await accounts.RequestPasswordResetAsync(email, cancellationToken) switch
        {
            PasswordResetRequestOutcome.Accepted => TypedResults.Accepted((string?)null),
            PasswordResetRequestOutcome.MailUnavailable => Problems.Status(StatusCodes.Status503ServiceUnavailable, MailProblems.UnavailableTitle),
            PasswordResetRequestOutcome.TooManyRequests limited => Problems.TooManyRequests(http, limited.RetryAfter, TooManyResetRequestsTitle),
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
