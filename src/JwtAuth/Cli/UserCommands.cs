using System.CommandLine;
using System.Globalization;
using JwtAuth.Data;
using JwtAuth.Sessions;
using JwtAuth.Users;
using Microsoft.Extensions.Options;

namespace JwtAuth.Cli;

/// <summary><c>users add | list | revoke-sessions | disable | enable | unlock | roles | delete</c>, on the server's database,
/// with the same rules and audit trail as the API.</summary>
public static class UserCommands
{
    public const string CommandLineDetail = "from the command line";

    public static Command Create(CommandContext context)
    {
        var addName = UsernameArgument("The new user's name.");
        var role = new Option<string[]>("--role")
        {
            Description = "A role to grant; repeat for several.",
            HelpName = "ROLE",
            Arity = ArgumentArity.ZeroOrMore,
        };
        role.AcceptOnlyFromAmong([.. Roles.All]);
        var email = new Option<string>("--email")
        {
            Description = "The user's email address. It counts as confirmed: the operator vouches for it, and no mail is sent.",
            HelpName = "ADDRESS",
        };
        email.Validators.Add(result =>
        {
            if (!EmailRules.TryNormalize(result.GetValueOrDefault<string>(), out _, out var error))
            {
                result.AddError(error);
            }
        });
        var add = new Command("add", "Creates a user. The password is read from standard input when it is redirected " +
                                     "(its first line), or prompted for without echo; never from the command line.")
        {
            addName,
            role,
            email,
        };
        add.SetAction((parsed, cancellationToken) =>
            AddAsync(context, parsed.GetRequiredValue(addName), parsed.GetValue(role) ?? [], parsed.GetValue(email), cancellationToken));

        var list = new Command("list", "Lists every user in id order, a thousand at a time: name, roles, creation time (UTC) and id.");
        list.SetAction((_, cancellationToken) => ListAsync(context, cancellationToken));

        var revokeName = UsernameArgument("The user whose sessions end.");
        var revoke = new Command("revoke-sessions", "Ends every session of a user. Running servers refuse the sessions' access tokens " +
                                                    "within Revocation:SyncInterval, and their refresh tokens at once.")
        {
            revokeName,
        };
        revoke.SetAction((parsed, cancellationToken) => RevokeSessionsAsync(context, parsed.GetRequiredValue(revokeName), cancellationToken));

        var disableName = UsernameArgument("The user to disable.");
        var disable = new Command("disable", "Disables a user: every session ends, and logins fail as with a wrong password.") { disableName };
        disable.SetAction((parsed, cancellationToken) => ChangeAsync(context, parsed.GetRequiredValue(disableName), cancellationToken,
            (accounts, user) => accounts.UpdateAsync(user.Id, roles: null, disabled: true, CommandLineDetail, cancellationToken),
            user => $"Disabled {user.Username}; every session of it has ended."));

        var enableName = UsernameArgument("The user to enable.");
        var enable = new Command("enable", "Enables a disabled user.") { enableName };
        enable.SetAction((parsed, cancellationToken) => ChangeAsync(context, parsed.GetRequiredValue(enableName), cancellationToken,
            (accounts, user) => accounts.UpdateAsync(user.Id, roles: null, disabled: false, CommandLineDetail, cancellationToken),
            user => $"Enabled {user.Username}."));

        var unlockName = UsernameArgument("The user whose lockout is cleared.");
        var unlock = new Command("unlock", "Clears the lockout of a user's name after failed logins.") { unlockName };
        unlock.SetAction((parsed, cancellationToken) => ChangeAsync(context, parsed.GetRequiredValue(unlockName), cancellationToken,
            (accounts, user) => accounts.UnlockAsync(user.Id, CommandLineDetail, cancellationToken),
            user => $"Cleared the lockout of {user.Username}."));

        var rolesName = UsernameArgument("The user whose roles are set.");
        var setRole = new Option<string[]>("--role")
        {
            Description = "A role the user has from now on; repeat for several, or leave out for none.",
            HelpName = "ROLE",
            Arity = ArgumentArity.ZeroOrMore,
        };
        setRole.AcceptOnlyFromAmong([.. Roles.All]);
        var roles = new Command("roles", "Sets a user's roles to exactly those given. Taking a role away ends every session of the user.")
        {
            rolesName,
            setRole,
        };
        roles.SetAction((parsed, cancellationToken) => ChangeAsync(context, parsed.GetRequiredValue(rolesName), cancellationToken,
            (accounts, user) => accounts.UpdateAsync(user.Id, parsed.GetValue(setRole) ?? [], disabled: null, CommandLineDetail, cancellationToken),
            user => $"{user.Username} has {(user.Roles.Count == 0 ? "no roles" : "role " + string.Join(", ", user.Roles))}."));

        var deleteName = UsernameArgument("The user to delete.");
        var yes = new Option<bool>("--yes") { Description = "Confirms the deletion, which cannot be undone." };
        var delete = new Command("delete", "Deletes a user for good: every session ends, and the account, its tokens and two-factor " +
                                           "data go; audit events keep the user's id only. Needs --yes.")
        {
            deleteName,
            yes,
        };
        delete.SetAction((parsed, cancellationToken) => parsed.GetValue(yes)
            ? ChangeAsync(context, parsed.GetRequiredValue(deleteName), cancellationToken,
                (accounts, user) => accounts.DeleteAsync(user.Id, CommandLineDetail, cancellationToken),
                user => $"Deleted {user.Username} (id {user.Id}).")
            : Task.FromResult(context.Console.Fail("Deleting a user cannot be undone; add --yes to confirm.", ExitCodes.Usage)));

        return new Command("users", "Manages user accounts.") { add, list, revoke, disable, enable, unlock, roles, delete };
    }

    private static Argument<string> UsernameArgument(string description)
    {
        var name = new Argument<string>("NAME") { Description = description };
        name.Validators.Add(result =>
        {
            if (!UsernameRules.TryNormalize(result.GetValueOrDefault<string>(), out _, out var error))
            {
                result.AddError(error);
            }
        });
        return name;
    }

    private static async Task<int> AddAsync(CommandContext context, string rawName, string[] roles, string? rawEmail, CancellationToken cancellationToken)
    {
        var console = context.Console;
        UsernameRules.TryNormalize(rawName, out var username, out _);
        EmailRules.EmailAddress? email = EmailRules.TryNormalize(rawEmail, out var address, out _) ? address : null;
        if (await context.DatabaseProblemAsync(cancellationToken) is { } problem)
        {
            return console.Fail(problem);
        }
        await using var scope = context.Host.Services.CreateAsyncScope();
        var accounts = scope.ServiceProvider.GetRequiredService<UserAccounts>();
        if (await accounts.IsTakenAsync(username.Normalized, cancellationToken))
        {
            return console.Fail($"A user named '{username.Display}' already exists.");
        }

        var password = console.ReadSecret($"Password for {username.Display}: ");
        if (string.IsNullOrEmpty(password))
        {
            return console.Fail(console.InputIsTerminal ? "No password was typed." : "No password on standard input: pipe it in, one line.");
        }
        if (!PasswordPolicy.TryValidate(password, username.Normalized, out var passwordError))
        {
            return console.Fail(passwordError);
        }
        if (console.InputIsTerminal && console.ReadSecret("Repeat the password: ") != password)
        {
            return console.Fail("The passwords differ.");
        }

        switch (await accounts.CreateAsync(username, password, email, emailVerified: true, roles, CommandLineDetail, cancellationToken))
        {
            case CreateUserOutcome.Created { User: var user }:
                var granted = user.Roles.Count > 0 ? $" with role {string.Join(", ", user.Roles)}" : "";
                var withEmail = user.Email is not null ? $" and address {user.Email}" : "";
                console.Out.WriteLine($"Created user {user.Username}{granted}{withEmail} (id {user.Id}).");
                return ExitCodes.Success;
            case CreateUserOutcome.Taken:
                // Someone (the API, another command) took the name between the check and the insert.
                return console.Fail($"A user named '{username.Display}' already exists.");
            case CreateUserOutcome.EmailTaken:
                return console.Fail($"Another user has the address '{email?.Display}'.");
            case CreateUserOutcome.InvalidPassword invalid:
                return console.Fail(invalid.Error);
            case CreateUserOutcome.Busy:
                return console.Fail("The password could not be hashed now; try again.");
            default:
                throw new InvalidOperationException("Unknown outcome.");
        }
    }

    /// <summary>Prints the users a page at a time, so a million of them never sit in memory at once. The columns take
    /// the widths of the first page, and widen when a later one needs it.</summary>
    private static async Task<int> ListAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var console = context.Console;
        if (await context.DatabaseProblemAsync(cancellationToken) is { } problem)
        {
            return console.Fail(problem);
        }
        await using var scope = context.Host.Services.CreateAsyncScope();
        var directory = scope.ServiceProvider.GetRequiredService<UserDirectory>();
        int[]? widths = null;
        Guid? after = null;
        while (true)
        {
            var page = await directory.PageAsync(after, prefix: null, UserDirectory.MaxPageSize, cancellationToken);
            var rows = page.Users.Select(u => new[]
            {
                u.Username,
                u.Roles.Count > 0 ? string.Join(",", u.Roles) : "-",
                u.Email is null ? "-" : u.EmailVerified ? u.Email : u.Email + " (unconfirmed)",
                u.Disabled ? "disabled" : "active",
                u.CreatedAt.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                u.Id.ToString(),
            }).ToList();
            if (widths is null)
            {
                if (rows.Count == 0)
                {
                    console.Out.WriteLine("No users.");
                    return ExitCodes.Success;
                }
                rows.Insert(0, ["USERNAME", "ROLES", "EMAIL", "STATE", "CREATED (UTC)", "ID"]);
                widths = new int[6];
            }
            for (var column = 0; column < widths.Length; column++)
            {
                widths[column] = Math.Max(widths[column], rows.Max(row => row[column].Length));
            }
            foreach (var row in rows)
            {
                console.Out.WriteLine(string.Join("  ", row.Select((cell, column) => column == row.Length - 1 ? cell : cell.PadRight(widths[column]))));
            }
            if (!page.HasMore)
            {
                return ExitCodes.Success;
            }
            after = page.Users[^1].Id;
        }
    }

    /// <summary>Finds the user by name and applies one change of <see cref="UserAccounts"/> to it.</summary>
    private static async Task<int> ChangeAsync(
        CommandContext context, string rawName, CancellationToken cancellationToken,
        Func<UserAccounts, User, Task<AdminOutcome>> change, Func<User, string> describe)
    {
        var console = context.Console;
        UsernameRules.TryNormalize(rawName, out var username, out _);
        if (await context.DatabaseProblemAsync(cancellationToken) is { } problem)
        {
            return console.Fail(problem);
        }
        await using var scope = context.Host.Services.CreateAsyncScope();
        var accounts = scope.ServiceProvider.GetRequiredService<UserAccounts>();
        if (await accounts.FindByNameAsync(username.Normalized, cancellationToken) is not { } user)
        {
            return console.Fail($"There is no user named '{username.Display}'.");
        }
        switch (await change(accounts, user))
        {
            case AdminOutcome.Changed changed:
                console.Out.WriteLine(describe(changed.User));
                return ExitCodes.Success;
            case AdminOutcome.LastAdmin:
                return console.Fail($"{user.Username} is the last active administrator; make another administrator first.");
            case AdminOutcome.Invalid invalid:
                return console.Fail(string.Join(" ", invalid.Errors.Messages));
            default:
                return console.Fail($"There is no user named '{username.Display}'.");
        }
    }

    private static async Task<int> RevokeSessionsAsync(CommandContext context, string rawName, CancellationToken cancellationToken)
    {
        var console = context.Console;
        UsernameRules.TryNormalize(rawName, out var username, out _);
        if (await context.DatabaseProblemAsync(cancellationToken) is { } problem)
        {
            return console.Fail(problem);
        }
        await using var scope = context.Host.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var accounts = services.GetRequiredService<UserAccounts>();
        if (await accounts.FindByNameAsync(username.Normalized, cancellationToken) is not { } user)
        {
            return console.Fail($"There is no user named '{username.Display}'.");
        }
        var ended = await accounts.EndSessionsAsync(user, CommandLineDetail, cancellationToken);
        var interval = services.GetRequiredService<IOptions<RevocationOptions>>().Value.SyncInterval;
        console.Out.WriteLine($"Ended {ended} session{(ended == 1 ? "" : "s")} of {user.Username}. " +
                              $"Running servers refuse their access tokens within {interval.TotalSeconds:0.###} s (Revocation:SyncInterval).");
        return ExitCodes.Success;
    }
}
