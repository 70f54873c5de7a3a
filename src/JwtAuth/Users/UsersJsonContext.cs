using System.Text.Json.Serialization;

namespace JwtAuth.Users;

/// <summary>Compile-time JSON for the hottest response, <c>GET /me</c>: serialised in one synchronous pass.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(UserEndpoints.MeResponse))]
internal sealed partial class UsersJsonContext : JsonSerializerContext;
