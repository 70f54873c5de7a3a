using System.CommandLine;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using JwtAuth.Tokens;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace JwtAuth.Cli;

/// <summary><c>token decode</c>: what a token says, and whether this server's keys and rules accept it.</summary>
public static class TokenCommands
{
    private static readonly JsonWebTokenHandler Handler = new();

    private static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        // A terminal shows "at+jwt" better than "at\u002Bjwt".
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static Command Create(CommandContext context)
    {
        var token = new Argument<string>("TOKEN") { Description = "The token, or - to read it from standard input (out of the shell's history)." };
        var decode = new Command("decode", "Prints the token's header and payload as JSON, iat/nbf/exp in UTC, whether its signature is valid " +
                                           "under the configured keys, and whether the server would accept it. Exit code 0 whenever the token can be read.")
        {
            token,
        };
        decode.SetAction((parsed, _) => DecodeAsync(context, parsed.GetRequiredValue(token)));
        return new Command("token", "Inspects tokens.") { decode };
    }

    private static async Task<int> DecodeAsync(CommandContext context, string argument)
    {
        var console = context.Console;
        var token = (argument == "-" ? console.In.ReadLine() : argument)?.Trim();
        if (string.IsNullOrEmpty(token))
        {
            return console.Fail("No token given.");
        }
        JsonWebToken jwt;
        JsonObject header;
        JsonObject payload;
        try
        {
            jwt = Handler.ReadJsonWebToken(token);
            if (jwt.IsEncrypted)
            {
                return console.Fail("The token is encrypted (JWE); this server issues signed tokens only.");
            }
            header = JsonNode.Parse(Base64UrlEncoder.Decode(jwt.EncodedHeader))!.AsObject();
            payload = JsonNode.Parse(Base64UrlEncoder.Decode(jwt.EncodedPayload))!.AsObject();
        }
        catch (Exception ex) when (ex is ArgumentException or SecurityTokenMalformedException or JsonException or FormatException or InvalidOperationException)
        {
            return console.Fail("This is not a JWT: expected three base64url parts separated by dots, with a JSON header and payload.");
        }

        var output = console.Out;
        output.WriteLine("Header");
        output.WriteLine(header.ToJsonString(Indented));
        output.WriteLine("Payload");
        output.WriteLine(payload.ToJsonString(Indented));
        output.WriteLine();

        var services = context.Host.Services;
        // NumericDate claims are whole seconds: so is the clock they are compared with here.
        var now = DateTimeOffset.FromUnixTimeSeconds(services.GetRequiredService<TimeProvider>().GetUtcNow().ToUnixTimeSeconds());
        WriteTime(output, "Issued at", payload, JwtRegisteredClaimNames.Iat, now);
        WriteTime(output, "Not before", payload, JwtRegisteredClaimNames.Nbf, now);
        WriteTime(output, "Expires", payload, JwtRegisteredClaimNames.Exp, now);

        var (signature, verdict) = await CheckAsync(services, jwt, token);
        output.WriteLine($"{"Signature",-11} {signature}");
        output.WriteLine($"{"Verdict",-11} {verdict}");
        return ExitCodes.Success;
    }

    private static void WriteTime(TextWriter output, string label, JsonObject payload, string claim, DateTimeOffset now)
    {
        if (payload[claim] is not JsonValue value || !value.TryGetValue<double>(out var seconds) || double.IsNaN(seconds)
            || seconds is < -62135596800 or > 253402300799)
        {
            output.WriteLine($"{label,-11} {(payload[claim] is null ? "-" : "not a NumericDate")}");
            return;
        }
        var at = DateTimeOffset.FromUnixTimeSeconds((long)seconds);
        var relative = (claim, at <= now) switch
        {
            (JwtRegisteredClaimNames.Exp, true) => $"expired {Span(now - at)} ago",
            (JwtRegisteredClaimNames.Exp, false) => $"expires in {Span(at - now)}",
            (_, true) => $"{Span(now - at)} ago",
            (_, false) => $"in {Span(at - now)}",
        };
        output.WriteLine($"{label,-11} {at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} UTC ({relative})");
    }

    /// <summary>The two largest units: "3 d 4 h", "14 min 3 s".</summary>
    public static string Span(TimeSpan span)
    {
        if (span.TotalDays >= 1) return $"{(long)span.TotalDays} d {span.Hours} h";
        if (span.TotalHours >= 1) return $"{span.Hours} h {span.Minutes} min";
        if (span.TotalMinutes >= 1) return $"{span.Minutes} min {span.Seconds} s";
        return $"{span.Seconds} s";
    }

    private static async Task<(string Signature, string Verdict)> CheckAsync(IServiceProvider services, JsonWebToken jwt, string token)
    {
        TokenValidation validation;
        JwtOptions options;
        try
        {
            options = services.GetRequiredService<IOptions<JwtOptions>>().Value;
            validation = services.GetRequiredService<TokenValidation>();
        }
        catch (OptionsValidationException invalid)
        {
            var why = $"not checked: the Jwt settings are not valid ({string.Join("; ", invalid.Failures)})";
            return (why, "unknown");
        }
        if (!jwt.IsSigned)
        {
            return ("none: the token is unsigned", "refused: unsigned tokens are never accepted");
        }

        // The signature alone: the key named by kid, HS256, nothing about claims or type.
        var signatureOnly = validation.AccessTokenParameters.Clone();
        signatureOnly.ValidateIssuer = false;
        signatureOnly.ValidateAudience = false;
        signatureOnly.RequireAudience = false;
        signatureOnly.LifetimeValidator = null;
        signatureOnly.ValidateLifetime = false;
        signatureOnly.RequireExpirationTime = false;
        signatureOnly.TypeValidator = (type, _, _) => type ?? "";
        var signed = await Handler.ValidateTokenAsync(token, signatureOnly);
        if (!signed.IsValid)
        {
            return ($"invalid: {Reason(signed.Exception, jwt, options)}", "refused");
        }
        var signature = $"valid (key {jwt.Kid})";

        var type = jwt.Typ.ToLowerInvariant();
        var (kind, parameters) = type switch
        {
            TokenTypes.Access => ("an access token", validation.AccessTokenParameters),
            TokenTypes.Refresh => ("a refresh token", validation.RefreshTokenParameters),
            _ => ("", null),
        };
        if (parameters is null)
        {
            return (signature, $"refused: typ '{jwt.Typ}' is not one this server issues ({TokenTypes.Access}, {TokenTypes.Refresh})");
        }
        var apartFromLifetime = await validation.ValidateIgnoringLifetimeAsync(token, type);
        if (!apartFromLifetime.IsValid)
        {
            return (signature, $"refused: {Reason(apartFromLifetime.Exception, jwt, options)}");
        }
        var now = await Handler.ValidateTokenAsync(token, parameters);
        return now.IsValid
            ? (signature, $"accepted as {kind} of this server, unless its session has been revoked" + (type == TokenTypes.Refresh ? " or the token spent" : ""))
            : (signature, $"refused: {kind} of this server, but {Reason(now.Exception, jwt, options)}");
    }

    private static string Reason(Exception? exception, JsonWebToken jwt, JwtOptions options) => exception switch
    {
        SecurityTokenSignatureKeyNotFoundException => string.IsNullOrEmpty(jwt.Kid) ? "the token has no kid" : $"no configured key has kid '{jwt.Kid}'",
        SecurityTokenInvalidAlgorithmException => $"alg '{jwt.Alg}' is not HS256",
        SecurityTokenInvalidSignatureException => $"the signature does not match key '{jwt.Kid}'",
        SecurityTokenInvalidIssuerException => $"iss is not '{options.Issuer}'",
        SecurityTokenInvalidAudienceException => $"aud is not '{options.Audience}'",
        SecurityTokenExpiredException => $"it has expired (Jwt:ClockSkew {options.ClockSkew} included)",
        SecurityTokenNotYetValidException => "it is not valid yet (nbf)",
        SecurityTokenNoExpirationException => "it has no exp",
        null => "not valid",
        _ => CliConsole.OneLine(exception.Message),
    };
}
