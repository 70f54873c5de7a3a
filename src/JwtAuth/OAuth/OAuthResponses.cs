namespace JwtAuth.OAuth;

public static class OAuthResponses
{
    /// <summary>RFC 6749 5.1: token responses must not be stored by any cache.</summary>
    public static void NoStore(HttpResponse response)
    {
        response.Headers.CacheControl = "no-store";
        response.Headers.Pragma = "no-cache";
    }
}
