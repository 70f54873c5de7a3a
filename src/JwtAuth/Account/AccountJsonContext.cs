using System.Text.Json.Serialization;

namespace JwtAuth.Account;

/// <summary>Compile-time JSON for the hottest response, <c>GET /me</c>: serialised in one synchronous pass.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(AccountEndpoints.MeResponse))]
internal sealed partial class AccountJsonContext : JsonSerializerContext;
