using Microsoft.AspNetCore.Http.HttpResults;

namespace JwtAuth.Infrastructure;

/// <summary>Collects field errors (keyed by the JSON field name) for one RFC 9457 validation problem.</summary>
public sealed class ValidationErrors
{
    private readonly Dictionary<string, string[]> _errors = new(StringComparer.Ordinal);

    public bool Any => _errors.Count > 0;

    public IEnumerable<string> Messages => _errors.Values.SelectMany(messages => messages);

    public ValidationErrors Add(string field, string message)
    {
        _errors[field] = _errors.TryGetValue(field, out var existing) ? [.. existing, message] : [message];
        return this;
    }

    public ValidationProblem ToProblem() => TypedResults.ValidationProblem(_errors, title: "One or more fields are invalid.");
}
