using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;

namespace JwtAuth.Infrastructure;

/// <summary>A query parameter with an empty value (<c>?limit=</c>, as a URL template filled in with nothing gives) means
/// "not given", like an absent one, instead of a value that fails to convert.</summary>
public static class EmptyQueryValues
{
    public static IApplicationBuilder UseEmptyQueryValuesAsMissing(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        var request = context.Request;
        if (request.QueryString.HasValue && request.Query.Any(parameter => StringValues.IsNullOrEmpty(parameter.Value) || parameter.Value.All(string.IsNullOrEmpty)))
        {
            var given = request.Query.Where(parameter => !parameter.Value.All(string.IsNullOrEmpty)).ToDictionary(p => p.Key, p => p.Value);
            context.Features.Set<IQueryFeature>(new QueryFeature(new QueryCollection(given)));
        }
        return next(context);
    });
}
