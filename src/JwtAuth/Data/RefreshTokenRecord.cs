namespace JwtAuth.Data;

/// <summary>The server's record of one issued refresh token: its <c>jti</c>, never the token itself.</summary>
public sealed class RefreshTokenRecord
{
    public Guid Id { get; set; }
    public Guid SessionId { get; set; }
    public DateTime IssuedAt { get; set; }
    public DateTime ExpiresAt { get; set; }
    public DateTime? SpentAt { get; set; }
}
