using System.Text.Json.Serialization;

namespace JwtAuth.Data.Sqlite;

/// <summary>The roles column, read on the refresh path without reflection.</summary>
[JsonSerializable(typeof(List<string>))]
internal sealed partial class SqliteJsonContext : JsonSerializerContext;
