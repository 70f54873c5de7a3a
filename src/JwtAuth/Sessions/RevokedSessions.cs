using System.Collections.Concurrent;
using JwtAuth.Tokens;
using Microsoft.Extensions.Options;

namespace JwtAuth.Sessions;

/// <summary>Sessions revoked while some of their access tokens may still be unexpired. Checked on every
/// authenticated request without touching the database; an entry is dropped once every access token of
/// its session has expired, so the set holds at most the sessions revoked within one access-token lifetime.</summary>
public sealed class RevokedSessions(IOptions<JwtOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<Guid, DateTime> _dropAfter = new();
    public int Count => _dropAfter.Count;

    public bool Contains(Guid sessionId) => _dropAfter.ContainsKey(sessionId);

    /// <summary>Returns whether the session is new to the set (it was not there, and its tokens are still usable).</summary>
    public bool Add(Guid sessionId, DateTime revokedAt)
    {
        var dropAfter = revokedAt + options.Value.RevocationHorizon;
        if (dropAfter <= time.GetUtcNow().UtcDateTime)
        {
            return false;
        }
        if (_dropAfter.TryAdd(sessionId, dropAfter))
        {
            return true;
        }
        _dropAfter[sessionId] = dropAfter;
        return false;
    }

    public void Prune()
    {
        var now = time.GetUtcNow().UtcDateTime;
        foreach (var (sessionId, dropAfter) in _dropAfter)
        {
            if (dropAfter <= now)
            {
                _dropAfter.TryRemove(sessionId, out _);
            }
        }
    }
}
