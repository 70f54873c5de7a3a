namespace JwtAuth.Infrastructure;

/// <summary>An example of the type as JSON, shown with its schema in the OpenAPI document.</summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, Inherited = false)]
public sealed class JsonExampleAttribute(string json) : Attribute
{
    public string Json { get; } = json;
}
