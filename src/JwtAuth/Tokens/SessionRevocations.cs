using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace JwtAuth.Tokens;

/// <summary>Sessions revoked while some of their access tokens may still be unexpired. Checked on every
/// authenticated request without touching the database; an entry is dropped once every access token of
/// its session has expired.</summary>
public sealed class SessionRevocations(IOptions<JwtOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<Guid, DateTime> _dropAfter = new();
    private readonly TimeSpan _horizon = options.Value.RevocationHorizon;

    public int Count => _dropAfter.Count;

    public bool IsRevoked(Guid sessionId) => _dropAfter.ContainsKey(sessionId);

    public void Add(Guid sessionId, DateTime revokedAt)
    {
        var dropAfter = revokedAt + _horizon;
        if (dropAfter > time.GetUtcNow().UtcDateTime)
        {
            _dropAfter[sessionId] = dropAfter;
        }
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
