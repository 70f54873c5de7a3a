using System.CommandLine;
using System.Globalization;
using JwtAuth.Sessions;
using JwtAuth.Users;
using Microsoft.Extensions.Options;

namespace JwtAuth.Cli;

/// <summary><c>users add | list | revoke-sessions</c>, on the server's database, with the same rules and audit trail as the API.</summary>
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
        var add = new Command("add", "Creates a user. The password is read from standard input when it is redirected " +
                                     "(its first line), or prompted for without echo; never from the command line.")
        {
            addName,
            role,
        };
        add.SetAction((parsed, cancellationToken) =>
            AddAsync(context, parsed.GetRequiredValue(addName), parsed.GetValue(role) ?? [], cancellationToken));

        var list = new Command("list", "Lists every user in id order, a thousand at a time: name, roles, creation time (UTC) and id.");
        list.SetAction((_, cancellationToken) => ListAsync(context, cancellationToken));

        var revokeName = UsernameArgument("The user whose sessions end.");
        var revoke = new Command("revoke-sessions", "Ends every session of a user. Running servers refuse the sessions' access tokens " +
                                                    "within Revocation:SyncInterval, and their refresh tokens at once.")
        {
            revokeName,
        };
        revoke.SetAction((parsed, cancellationToken) => RevokeSessionsAsync(context, parsed.GetRequiredValue(revokeName), cancellationToken));

        return new Command("users", "Manages user accounts.") { add, list, revoke };
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

    private static async Task<int> AddAsync(CommandContext context, string rawName, string[] roles, CancellationToken cancellationToken)
    {
        var console = context.Console;
        UsernameRules.TryNormalize(rawName, out var username, out _);
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

        switch (await accounts.CreateAsync(username, password, roles, CommandLineDetail, cancellationToken))
        {
            case CreateUserOutcome.Created { User: var user }:
                var granted = user.Roles.Count > 0 ? $" with role {string.Join(", ", user.Roles)}" : "";
                console.Out.WriteLine($"Created user {user.Username}{granted} (id {user.Id}).");
                return ExitCodes.Success;
            case CreateUserOutcome.Taken:
                // Someone (the API, another command) took the name between the check and the insert.
                return console.Fail($"A user named '{username.Display}' already exists.");
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
                rows.Insert(0, ["USERNAME", "ROLES", "CREATED (UTC)", "ID"]);
                widths = new int[4];
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
