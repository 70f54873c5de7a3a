namespace JwtAuth.Tokens;

/// <summary>The <c>typ</c> header of each kind of token; neither is accepted in the other's place.</summary>
public static class TokenTypes
{
    public const string Access = "at+jwt";
    public const string Refresh = "rt+jwt";
}
