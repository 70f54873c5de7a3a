namespace JwtAuth.Infrastructure;

/// <summary>Endpoint metadata for endpoints whose errors are not problem details: it writes their 429.</summary>
public interface ITooManyRequestsWriter
{
    Task WriteAsync(HttpContext http, string title);
}
