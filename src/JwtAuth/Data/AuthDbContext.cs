using JwtAuth.Infrastructure;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace JwtAuth.Data;

/// <summary>The store of users, sessions, refresh-token ids, lockout counters, audit events, the tokens sent by mail,
/// recovery codes and the Data Protection key ring. Each database provider has a subclass that owns its migrations.</summary>
public abstract class AuthDbContext(DbContextOptions options) : DbContext(options), IDataProtectionKeyContext
{
    public DbSet<User> Users => Set<User>();
    public DbSet<Session> Sessions => Set<Session>();
    public DbSet<RefreshTokenRecord> RefreshTokens => Set<RefreshTokenRecord>();
    public DbSet<LoginThrottle> LoginThrottles => Set<LoginThrottle>();
    public DbSet<MailThrottle> MailThrottles => Set<MailThrottle>();
    public DbSet<AuditEvent> AuditEvents => Set<AuditEvent>();
    public DbSet<AccountToken> AccountTokens => Set<AccountToken>();
    public DbSet<RecoveryCode> RecoveryCodes => Set<RecoveryCode>();

    /// <summary>The Data Protection key ring, shared by every instance (it encrypts the TOTP secrets).</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    private const int UsernameColumnLength = User.MaxUsernameLength * 4;

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Every time is stored in UTC, but SQLite gives it back without a kind, and JSON would then omit the 'Z'.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        configurationBuilder.Properties<DateTime?>().HaveConversion<UtcDateTimeConverter>();
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<User>(user =>
        {
            user.Property(u => u.Username).HasMaxLength(UsernameColumnLength);
            user.Property(u => u.NormalizedUsername).HasMaxLength(UsernameColumnLength);
            user.HasIndex(u => u.NormalizedUsername).IsUnique();
            user.Property(u => u.PasswordHash).HasMaxLength(100);
            user.Property(u => u.Email).HasMaxLength(User.MaxEmailLength);
            user.Property(u => u.NormalizedEmail).HasMaxLength(User.MaxEmailLength);
            user.HasIndex(u => u.NormalizedEmail).IsUnique();
            user.Property(u => u.TotpSecret).HasMaxLength(1000);
        });

        modelBuilder.Entity<AccountToken>(token =>
        {
            token.HasOne<User>().WithMany().HasForeignKey(t => t.UserId).OnDelete(DeleteBehavior.Cascade);
            token.HasIndex(t => t.UserId);
            token.HasIndex(t => t.TokenHash).IsUnique();
            token.Property(t => t.TokenHash).HasMaxLength(64);
            token.Property(t => t.Purpose).HasMaxLength(AccountToken.MaxPurposeLength);
            token.Property(t => t.NormalizedEmail).HasMaxLength(User.MaxEmailLength);
        });

        modelBuilder.Entity<RecoveryCode>(code =>
        {
            code.HasOne<User>().WithMany().HasForeignKey(c => c.UserId).OnDelete(DeleteBehavior.Cascade);
            code.HasIndex(c => new { c.UserId, c.CodeHash }).IsUnique();
            code.Property(c => c.CodeHash).HasMaxLength(64);
        });

        modelBuilder.Entity<Session>(session =>
        {
            session.HasOne(s => s.User).WithMany().HasForeignKey(s => s.UserId).OnDelete(DeleteBehavior.SetNull);
            session.HasIndex(s => s.UserId);
            session.HasIndex(s => s.RevokedAt);
            session.Property(s => s.ClientId).HasMaxLength(200);
            session.Property(s => s.RevokedReason).HasMaxLength(100);
            session.Property(s => s.ClientIp).HasMaxLength(64);
            session.Property(s => s.UserAgent).HasMaxLength(RequestOrigin.MaxUserAgentLength);
            session.Property(s => s.Amr).HasMaxLength(32).HasDefaultValue(Session.PasswordOnly);
        });

        modelBuilder.Entity<RefreshTokenRecord>(token =>
        {
            token.ToTable("RefreshTokens");
            token.HasOne<Session>().WithMany().HasForeignKey(t => t.SessionId).OnDelete(DeleteBehavior.Cascade);
            token.HasIndex(t => t.SessionId);
            // Housekeeping finds expired tokens without reading the others.
            token.HasIndex(t => t.ExpiresAt);
            token.Property(t => t.SpentAt).IsConcurrencyToken();
        });

        modelBuilder.Entity<LoginThrottle>(throttle =>
        {
            throttle.HasKey(t => t.NormalizedUsername);
            throttle.Property(t => t.NormalizedUsername).HasMaxLength(UsernameColumnLength);
        });

        modelBuilder.Entity<MailThrottle>(throttle =>
        {
            throttle.HasKey(t => t.NormalizedEmail);
            throttle.Property(t => t.NormalizedEmail).HasMaxLength(User.MaxEmailLength);
        });

        modelBuilder.Entity<AuditEvent>(audit =>
        {
            audit.Property(a => a.Type).HasMaxLength(64);
            audit.Property(a => a.Username).HasMaxLength(UsernameColumnLength);
            audit.Property(a => a.ClientIp).HasMaxLength(64);
            audit.Property(a => a.UserAgent).HasMaxLength(RequestOrigin.MaxUserAgentLength);
            audit.Property(a => a.Detail).HasMaxLength(1000);
            audit.HasIndex(a => a.OccurredAt);
            // The audit query's filters, each newest first: by name, by account, by type.
            audit.HasIndex(a => new { a.Username, a.Id });
            audit.HasIndex(a => new { a.UserId, a.Id });
            audit.HasIndex(a => new { a.Type, a.Id });
        });
    }
}
