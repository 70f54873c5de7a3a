using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Claims;
using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;

namespace JwtAuth.Tokens;

/// <summary>Access tokens that passed full validation, keyed by a 128-bit SipHash of the whole token under a key
/// drawn at start-up (nobody can make another string share a token's key), so a token seen again skips parsing
/// and signature checks. An entry holds only the claim values (a few hundred bytes),
/// is used only until the token's <c>exp</c> plus clock skew, and never bypasses the revoked-session check,
/// which the caller does on every request.</summary>
public sealed class ValidatedTokenCache(IOptions<JwtOptions> options, TimeProvider time)
{
    public const int Capacity = 100_000;

    /// <summary>Longer strings are not ours; they go through full validation every time.</summary>
    private const int MaxTokenLength = 4096;

    /// <summary>Expired entries are swept after this many additions.</summary>
    private const int PruneEvery = 4096;

    private readonly ConcurrentDictionary<UInt128, Entry> _entries = new();
    private readonly SipHash128 _fingerprint = new();
    private int _additions;
    private readonly TimeSpan _skew = options.Value.ClockSkew;
    private readonly string _issuer = options.Value.Issuer;
    private readonly string _audience = options.Value.Audience;

    public int Count => _entries.Count;

    /// <summary>The cached identity of a token and its session (for the revoked-session check), or null when the token
    /// is unknown, or no longer (or not yet) within its lifetime.</summary>
    public ClaimsPrincipal? Find(ReadOnlySpan<char> token, out Guid sessionId)
    {
        sessionId = default;
        if (!TryDigest(token, out var digest) || !_entries.TryGetValue(digest, out var entry))
        {
            return null;
        }
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var skew = (long)_skew.TotalSeconds;
        if (now > entry.Expires + skew || entry.NotBefore > now + skew)
        {
            _entries.TryRemove(digest, out _);
            return null;
        }
        sessionId = entry.SessionId;
        return entry.ToPrincipal(_issuer, _audience);
    }

    /// <summary>Remembers a token that has just passed every check.</summary>
    public void Add(JsonWebToken token)
    {
        if (!TryDigest(token.EncodedToken, out var digest) || Entry.From(token) is not { } entry)
        {
            return;
        }
        if (Interlocked.Increment(ref _additions) % PruneEvery == 0 || _entries.Count >= Capacity)
        {
            Prune();
            if (_entries.Count >= Capacity)
            {
                _entries.Clear();
            }
        }
        _entries[digest] = entry;
    }

    public void Prune()
    {
        var cutoff = time.GetUtcNow().ToUnixTimeSeconds() - (long)_skew.TotalSeconds;
        foreach (var (digest, entry) in _entries)
        {
            if (entry.Expires < cutoff)
            {
                _entries.TryRemove(digest, out _);
            }
        }
    }

    private bool TryDigest(ReadOnlySpan<char> token, out UInt128 digest)
    {
        digest = default;
        // A token is ASCII; anything else, or anything longer, is not ours and goes through full validation.
        if (token.IsEmpty || token.Length > MaxTokenLength)
        {
            return false;
        }
        Span<byte> ascii = stackalloc byte[token.Length];
        if (Ascii.FromUtf16(token, ascii, out _) != OperationStatus.Done)
        {
            return false;
        }
        digest = _fingerprint.Hash(ascii);
        return true;
    }

    private sealed record Entry(
        Guid UserId, string Username, string[] Roles, Guid SessionId, string JwtId, string ClientId,
        string? Email, bool EmailVerified, string[]? Amr, long IssuedAt, long NotBefore, long Expires)
    {
        public static Entry? From(JsonWebToken token)
        {
            if (!Guid.TryParse(token.Subject, out var userId)
                || !token.TryGetPayloadValue<string>(TokenClaims.SessionId, out var sid) || !Guid.TryParse(sid, out var sessionId)
                || !token.TryGetPayloadValue<string>(TokenClaims.PreferredUsername, out var username)
                || !token.TryGetPayloadValue<string[]>(TokenClaims.Roles, out var roles)
                || !token.TryGetPayloadValue<string>(TokenClaims.ClientId, out var clientId)
                || string.IsNullOrEmpty(token.Id)
                || !token.TryGetPayloadValue<long>(JwtRegisteredClaimNames.Iat, out var issuedAt)
                || !token.TryGetPayloadValue<long>(JwtRegisteredClaimNames.Nbf, out var notBefore)
                || !token.TryGetPayloadValue<long>(JwtRegisteredClaimNames.Exp, out var expires))
            {
                return null;
            }
            string? email = null;
            var emailVerified = false;
            if (token.TryGetPayloadValue<string>(TokenClaims.Email, out var address)
                && !token.TryGetPayloadValue(TokenClaims.EmailVerified, out emailVerified))
            {
                return null;
            }
            email = address;
            // Tokens issued before amr existed have none; they are rebuilt without it, as JwtBearer reads them.
            var amr = token.TryGetPayloadValue<string[]>(TokenClaims.Amr, out var methods) ? methods : null;
            return new Entry(userId, username, roles, sessionId, token.Id, clientId, email, emailVerified, amr, issuedAt, notBefore, expires);
        }

        /// <summary>The same claims, in the same order and with the same value types, as JwtBearer's own principal.
        /// Each claim is made with the identity as its subject, so the identity takes it as is instead of cloning it.</summary>
        public ClaimsPrincipal ToPrincipal(string issuer, string audience)
        {
            var identity = new ClaimsIdentity(TokenValidation.AuthenticationType, TokenClaims.PreferredUsername, TokenClaims.Roles);
            void Add(string type, string value, string valueType = ClaimValueTypes.String) =>
                identity.AddClaim(new Claim(type, value, valueType, issuer, issuer, identity));

            Add(JwtRegisteredClaimNames.Aud, audience);
            Add(JwtRegisteredClaimNames.Iss, issuer);
            Add(JwtRegisteredClaimNames.Exp, Expires.ToString(CultureInfo.InvariantCulture), ClaimValueTypes.Integer64);
            Add(JwtRegisteredClaimNames.Iat, IssuedAt.ToString(CultureInfo.InvariantCulture), ClaimValueTypes.Integer64);
            Add(JwtRegisteredClaimNames.Nbf, NotBefore.ToString(CultureInfo.InvariantCulture), ClaimValueTypes.Integer64);
            Add(JwtRegisteredClaimNames.Sub, UserId.ToString());
            Add(TokenClaims.PreferredUsername, Username);
            foreach (var role in Roles)
            {
                Add(TokenClaims.Roles, role);
            }
            Add(TokenClaims.SessionId, SessionId.ToString());
            Add(JwtRegisteredClaimNames.Jti, JwtId);
            Add(TokenClaims.ClientId, ClientId);
            if (Email is not null)
            {
                Add(TokenClaims.Email, Email);
                Add(TokenClaims.EmailVerified, EmailVerified ? "true" : "false", ClaimValueTypes.Boolean);
            }
            foreach (var method in Amr ?? [])
            {
                Add(TokenClaims.Amr, method);
            }
            return new ClaimsPrincipal(identity);
        }
    }
}
