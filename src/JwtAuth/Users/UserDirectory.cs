using System.Text;
using JwtAuth.Data;
using Microsoft.EntityFrameworkCore;

namespace JwtAuth.Users;

/// <summary>One user as a list shows it.</summary>
public sealed record UserListing(
    Guid Id, string Username, IReadOnlyList<string> Roles, DateTime CreatedAt, string? Email, bool EmailVerified, bool Disabled, bool TwoFactorEnabled);

/// <summary>A page of users, and whether more follow it.</summary>
public sealed record UserPage(IReadOnlyList<UserListing> Users, bool HasMore);

/// <summary>Users page by page in id order (keyset pagination: a page starts after the last id of the one before, so
/// a page costs the same however deep it is, and users created or deleted meanwhile neither repeat nor shift others),
/// optionally only the names that start with a prefix. For <c>GET /admin/users</c> and <c>users list</c>.</summary>
public sealed class UserDirectory(AuthDbContext db)
{
    public const int DefaultPageSize = 100;
    public const int MaxPageSize = 1000;

    /// <summary>How many names a prefix may have and still be looked up on the index of names, its users then sorted
    /// by id; a broader one is found sooner by walking the ids in order and checking each name. For a prefix held by
    /// m of n users a page costs about m row reads the first way and limit x n / m the second; the bound makes them
    /// equal at a million users (m = sqrt(limit x 1,000,000)), and a smaller table is always looked up by name.</summary>
    public static int SortedMatchesAtMost(int limit) => (int)(1000 * Math.Sqrt(limit));

    /// <param name="after">The last id of the previous page, or null for the first page.</param>
    /// <param name="prefix">A prefix of the names, as <see cref="UsernameRules.TryNormalizePrefix"/> gives it, or null for all.</param>
    public async Task<UserPage> PageAsync(Guid? after, string? prefix, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, MaxPageSize);
        var users = db.Users.AsNoTracking();
        if (after is { } last)
        {
            users = users.Where(u => u.Id.CompareTo(last) > 0);
        }
        if (!string.IsNullOrEmpty(prefix))
        {
            var named = WithPrefix(db.Users, prefix);
            // Counted on the index alone, and only up to the bound.
            var bound = SortedMatchesAtMost(limit);
            var broad = await named.Take(bound + 1).CountAsync(cancellationToken) > bound;
            users = broad
                // The keys are upper case, so the ASCII case folding of SQLite's LIKE changes nothing.
                ? users.Where(u => u.NormalizedUsername.StartsWith(prefix))
                : WithPrefix(users, prefix);
        }
        var page = await users
            .OrderBy(u => u.Id)
            .Take(limit + 1)
            .Select(u => new UserListing(u.Id, u.Username, u.Roles, u.CreatedAt, u.Email, u.EmailVerified, u.DisabledAt != null, u.TotpEnabledAt != null))
            .ToListAsync(cancellationToken);
        var hasMore = page.Count > limit;
        if (hasMore)
        {
            page.RemoveAt(limit);
        }
        return new UserPage(page, hasMore);
    }

    /// <summary>Names that start with the prefix, as a range on the unique index of normalised names (LIKE would not
    /// use it on SQLite, and its upper end makes the range exact).</summary>
    private static IQueryable<User> WithPrefix(IQueryable<User> users, string prefix)
    {
        users = users.Where(u => string.Compare(u.NormalizedUsername, prefix) >= 0);
        return PrefixEnd(prefix) is { } end ? users.Where(u => string.Compare(u.NormalizedUsername, end) < 0) : users;
    }

    /// <summary>The least string above every string that starts with <paramref name="prefix"/>, in code-point order
    /// (which is how SQLite compares text, byte by byte in UTF-8): the prefix with its last code point raised by one.
    /// Null when no string is above them all (the prefix is made of U+10FFFF only).</summary>
    public static string? PrefixEnd(string prefix)
    {
        var runes = prefix.EnumerateRunes().ToList();
        while (runes.Count > 0)
        {
            var last = runes[^1].Value;
            runes.RemoveAt(runes.Count - 1);
            if (last < 0x10FFFF)
            {
                // The surrogate range holds no code points of text.
                var next = new Rune(last + 1 == 0xD800 ? 0xE000 : last + 1);
                var end = new StringBuilder(prefix.Length + 1);
                runes.ForEach(rune => end.Append(rune.ToString()));
                return end.Append(next.ToString()).ToString();
            }
        }
        return null;
    }
}
