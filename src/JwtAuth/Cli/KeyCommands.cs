using System.CommandLine;
using System.Security.Cryptography;
using JwtAuth.Tokens;

namespace JwtAuth.Cli;

/// <summary><c>keys new</c>: the one command that prints a secret, since printing it is its purpose.</summary>
public static class KeyCommands
{
    public const int KeyBytes = 32;

    public static Command Create(CommandContext context)
    {
        var id = new Option<string>("--id") { Description = "The key id (kid); default: key-YYYYMMDD-xxxx.", HelpName = "ID" };
        id.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<string>();
            if (string.IsNullOrWhiteSpace(value) || value.Any(c => c is <= ' ' or > '~' or '"' or '\\'))
            {
                result.AddError("The key id must be printable ASCII without spaces, quotes or backslashes.");
            }
        });
        var create = new Command("new", $"Prints a new random HS256 signing key ({KeyBytes * 8} bits, base64) and the settings that configure it.")
        {
            id,
        };
        create.SetAction(parsed => New(context.Console, parsed.GetValue(id)));
        return new Command("keys", "Signing keys.") { create };
    }

    private static int New(CliConsole console, string? id)
    {
        id ??= $"key-{TimeProvider.System.GetUtcNow():yyyyMMdd}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(2))}";
        string secret;
        do
        {
            secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(KeyBytes));
        }
        // The server's own check; a random key fails it about never, but a printed key must always start the server.
        while (JwtOptionsValidator.DescribeSecretProblem(secret) is not null);

        var output = console.Out;
        output.WriteLine($"A new HS256 signing key, {KeyBytes * 8} bits. Keep the secret out of source control, logs and chat.");
        output.WriteLine();
        output.WriteLine("appsettings.json (or a secrets file):");
        output.WriteLine("  \"Jwt\": {");
        output.WriteLine("    \"SigningKeys\": [");
        output.WriteLine($"      {{ \"Id\": \"{id}\", \"Secret\": \"{secret}\" }}");
        output.WriteLine("    ]");
        output.WriteLine("  }");
        output.WriteLine();
        output.WriteLine("Environment variables:");
        output.WriteLine($"  Jwt__SigningKeys__0__Id={id}");
        output.WriteLine($"  Jwt__SigningKeys__0__Secret={secret}");
        output.WriteLine();
        output.WriteLine("Key 0 signs and every key validates: to rotate, make this key 0 and keep the previous one as key 1 " +
                         "until the tokens it signed have expired (Jwt:RefreshTokenLifetime).");
        return ExitCodes.Success;
    }
}
