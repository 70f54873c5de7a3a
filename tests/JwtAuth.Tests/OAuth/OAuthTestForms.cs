using System.Net.Http.Json;
using System.Text.Json;

namespace JwtAuth.Tests.OAuth;

internal static class OAuthTestForms
{
    /// <summary>A form body that may repeat a parameter, which <see cref="FormUrlEncodedContent"/> allows.</summary>
    public static FormUrlEncodedContent Form(params (string Name, string Value)[] parameters) =>
        new(parameters.Select(p => KeyValuePair.Create(p.Name, p.Value)));

    public static async Task<(string Error, string Description)> ReadErrorAsync(this HttpResponseMessage response)
    {
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (body.GetProperty("error").GetString()!, body.GetProperty("error_description").GetString()!);
    }
}
