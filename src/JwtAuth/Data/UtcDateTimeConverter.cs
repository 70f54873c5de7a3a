using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace JwtAuth.Data;

/// <summary>Reads stored times back as <see cref="DateTimeKind.Utc"/>.</summary>
internal sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
    value => value, stored => DateTime.SpecifyKind(stored, DateTimeKind.Utc));
