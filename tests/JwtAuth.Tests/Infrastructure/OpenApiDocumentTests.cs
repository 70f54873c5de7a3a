using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace JwtAuth.Tests.Infrastructure;

/// <summary>The OpenAPI document tells a client generator everything it needs: which credential each operation takes,
/// every request body, plain integer types, the errors to handle, what is optional, names, descriptions and
/// examples, and no server address taken from the request.</summary>
public sealed class OpenApiDocumentTests : IDisposable
{
    private static readonly string[] Admin =
    [
        "GET /admin/users", "POST /admin/users/{id}/revoke-sessions", "PATCH /admin/users/{id}", "POST /admin/users/{id}/unlock",
        "DELETE /admin/users/{id}", "GET /admin/audit",
    ];
    private static readonly string[] Protected =
    [
        "GET /me", "POST /me/password", "DELETE /me", "POST /me/mfa/totp", "POST /me/mfa/totp/confirm", "DELETE /me/mfa/totp", .. Admin,
    ];
    private static readonly string[] Open =
    [
        "POST /login", "POST /register", "POST /token", "POST /revoke", "POST /password/forgot", "POST /password/reset", "POST /email/confirm",
    ];

    private readonly JwtAuthApplication _app = new() { Environment = "Production" };
    private JsonElement? _document;

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task Protected_operations_require_the_bearer_scheme_and_list_401_with_its_challenge()
    {
        var document = await DocumentAsync();

        var bearer = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer");
        Assert.Equal("http", bearer.GetProperty("type").GetString());
        Assert.Equal("bearer", bearer.GetProperty("scheme").GetString());
        foreach (var operation in Protected)
        {
            var op = Operation(document, operation);
            Assert.Equal(["Bearer"], [.. op.GetProperty("security").EnumerateArray().SelectMany(r => r.EnumerateObject()).Select(p => p.Name)]);
            Assert.True(op.GetProperty("responses").GetProperty("401").GetProperty("headers").TryGetProperty("WWW-Authenticate", out _), operation);
            Assert.Equal(Admin.Contains(operation), op.GetProperty("responses").TryGetProperty("403", out _));
        }
    }

    [Fact]
    public async Task Logout_takes_a_bearer_token_or_the_refresh_cookie_refresh_no_credential_or_the_cookie_and_open_operations_none()
    {
        var document = await DocumentAsync();

        Assert.Equal(["Bearer", "RefreshCookie"], SecurityAlternatives(Operation(document, "POST /logout")));
        Assert.Equal(["", "RefreshCookie"], SecurityAlternatives(Operation(document, "POST /refresh")));
        foreach (var operation in Open)
        {
            Assert.Equal([""], SecurityAlternatives(Operation(document, operation)));
        }
        var cookie = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("RefreshCookie");
        Assert.Equal("cookie", cookie.GetProperty("in").GetString());
        Assert.Equal("__Host-jwtauth_refresh", cookie.GetProperty("name").GetString());
    }

    [Fact]
    public async Task Token_and_revoke_declare_their_forms_with_every_field_and_a_grant_type_enum()
    {
        var document = await DocumentAsync();

        var token = FormSchema(document, "POST /token");
        Assert.Equal(["password", "refresh_token"], token.GetProperty("properties").GetProperty("grant_type").GetProperty("enum").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal(["client_id", "grant_type", "password", "recovery_code", "refresh_token", "scope", "totp_code", "username"], token.GetProperty("properties").EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(["grant_type"], token.GetProperty("required").EnumerateArray().Select(v => v.GetString()));
        var revoke = FormSchema(document, "POST /revoke");
        Assert.Equal(["token"], revoke.GetProperty("required").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal(["access_token", "refresh_token"], revoke.GetProperty("properties").GetProperty("token_type_hint").GetProperty("enum").EnumerateArray().Select(v => v.GetString()));
    }

    [Fact]
    public async Task Counts_and_ids_are_plain_integers_and_json_numbers_in_strings_are_refused()
    {
        var document = await DocumentAsync();
        var schemas = document.GetProperty("components").GetProperty("schemas");

        foreach (var (schema, property) in new[] { ("TokenResponse", "expires_in"), ("TokenResponse", "refresh_token_expires_in"), ("SessionTokens", "expires_in"), ("AuditEventResponse", "id") })
        {
            Assert.Equal("integer", schemas.GetProperty(schema).GetProperty("properties").GetProperty(property).GetProperty("type").GetString());
        }
        foreach (var operation in new[] { "GET /admin/audit", "GET /admin/users" })
        {
            Assert.Equal("integer", Parameter(document, operation, "limit").GetProperty("schema").GetProperty("type").GetString());
        }
        Assert.Equal(JsonNumberHandling.Strict, _app.Services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions.NumberHandling);
    }

    public static TheoryData<string, string, bool> Errors => new()
    {
        { "POST /login", "401", false }, { "POST /login", "429", true }, { "POST /login", "503", true },
        { "POST /refresh", "401", false }, { "POST /refresh", "403", false }, { "POST /refresh", "429", true },
        { "POST /logout", "401", false }, { "POST /logout", "403", false },
        { "POST /register", "409", false }, { "POST /register", "403", false }, { "POST /register", "429", true }, { "POST /register", "503", true },
        { "POST /me/password", "429", true }, { "POST /me/password", "503", true },
        { "DELETE /me", "400", false }, { "DELETE /me", "409", false }, { "DELETE /me", "429", true }, { "DELETE /me", "503", true },
        { "POST /me/mfa/totp", "400", false }, { "POST /me/mfa/totp", "409", false }, { "POST /me/mfa/totp", "429", true }, { "POST /me/mfa/totp", "503", true },
        { "POST /me/mfa/totp/confirm", "400", false },
        { "DELETE /me/mfa/totp", "400", false }, { "DELETE /me/mfa/totp", "429", true }, { "DELETE /me/mfa/totp", "503", true },
        { "POST /password/forgot", "400", false }, { "POST /password/forgot", "429", true }, { "POST /password/forgot", "503", false },
        { "POST /password/reset", "400", false }, { "POST /password/reset", "429", true }, { "POST /password/reset", "503", true },
        { "POST /email/confirm", "400", false }, { "POST /email/confirm", "429", true },
        { "POST /admin/users/{id}/revoke-sessions", "404", false },
        { "PATCH /admin/users/{id}", "400", false }, { "PATCH /admin/users/{id}", "404", false }, { "PATCH /admin/users/{id}", "409", false },
        { "POST /admin/users/{id}/unlock", "404", false },
        { "DELETE /admin/users/{id}", "404", false }, { "DELETE /admin/users/{id}", "409", false },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public async Task The_errors_clients_must_handle_are_problems_and_429_and_503_say_when_to_retry(string operation, string status, bool retryAfter)
    {
        var document = await DocumentAsync();

        var response = Operation(document, operation).GetProperty("responses").GetProperty(status);

        Assert.True(response.GetProperty("content").TryGetProperty("application/problem+json", out var problem), $"{operation} {status}");
        Assert.True(problem.TryGetProperty("example", out _));
        Assert.NotEqual(ReasonPhrase(status), response.GetProperty("description").GetString());
        Assert.Equal(retryAfter, response.TryGetProperty("headers", out var headers) && headers.TryGetProperty("Retry-After", out _));
    }

    [Fact]
    public async Task Retry_after_is_required_only_where_every_such_response_sends_it()
    {
        var document = await DocumentAsync();

        // A 503 of /register is hashing being busy (with Retry-After) or, with an address, no mail server (without).
        Assert.False(RetryAfter(document, "POST /register", "503").TryGetProperty("required", out var sometimes) && sometimes.GetBoolean());
        Assert.True(RetryAfter(document, "POST /login", "503").GetProperty("required").GetBoolean());
        Assert.True(RetryAfter(document, "POST /password/forgot", "429").GetProperty("required").GetBoolean());
    }

    /// <summary>A 429 where a rate limit or the lockout applies, a 503 where a password is hashed or mail is sent, and
    /// nothing a client could never get.</summary>
    [Theory]
    [InlineData("POST /me/mfa/totp", new[] { "200", "400", "401", "409", "429", "503" })]
    [InlineData("POST /me/mfa/totp/confirm", new[] { "200", "400", "401" })]
    [InlineData("DELETE /me/mfa/totp", new[] { "204", "400", "401", "429", "503" })]
    [InlineData("DELETE /me", new[] { "204", "400", "401", "409", "429", "503" })]
    [InlineData("POST /password/forgot", new[] { "202", "400", "429", "503" })]
    [InlineData("POST /password/reset", new[] { "204", "400", "429", "503" })]
    [InlineData("POST /email/confirm", new[] { "204", "400", "429" })]
    [InlineData("GET /admin/users", new[] { "200", "400", "401", "403" })]
    [InlineData("PATCH /admin/users/{id}", new[] { "200", "400", "401", "403", "404", "409" })]
    [InlineData("POST /admin/users/{id}/unlock", new[] { "204", "401", "403", "404" })]
    [InlineData("DELETE /admin/users/{id}", new[] { "204", "401", "403", "404", "409" })]
    public async Task Account_and_administration_operations_list_exactly_the_statuses_they_can_answer(string operation, string[] statuses)
    {
        var document = await DocumentAsync();

        Assert.Equal(statuses, Operation(document, operation).GetProperty("responses").EnumerateObject().Select(r => r.Name).Order());
    }

    [Fact]
    public async Task The_user_list_describes_its_paging_parameters_and_the_link_to_the_next_page()
    {
        var document = await DocumentAsync();

        foreach (var name in new[] { "limit", "after", "username" })
        {
            var parameter = Parameter(document, "GET /admin/users", name);
            Assert.Equal("query", parameter.GetProperty("in").GetString());
            Assert.False(parameter.TryGetProperty("required", out var required) && required.GetBoolean(), name);
            Assert.False(string.IsNullOrEmpty(parameter.GetProperty("description").GetString()), name);
        }
        Assert.Equal("uuid", Parameter(document, "GET /admin/users", "after").GetProperty("schema").GetProperty("format").GetString());
        var ok = Operation(document, "GET /admin/users").GetProperty("responses").GetProperty("200");
        Assert.Equal("array", ok.GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("type").GetString());
        Assert.Contains("rel=\"next\"", ok.GetProperty("headers").GetProperty("Link").GetProperty("description").GetString());
    }

    [Fact]
    public async Task Revoke_lists_only_what_it_can_answer_and_token_its_429_and_503_with_retry_after()
    {
        var document = await DocumentAsync();

        Assert.Equal(["200", "400", "401"], Operation(document, "POST /revoke").GetProperty("responses").EnumerateObject().Select(r => r.Name).Order());
        var token = Operation(document, "POST /token").GetProperty("responses");
        foreach (var status in new[] { "429", "503" })
        {
            Assert.True(token.GetProperty(status).GetProperty("content").TryGetProperty("application/json", out _));
            Assert.True(token.GetProperty(status).GetProperty("headers").TryGetProperty("Retry-After", out _));
        }
    }

    [Fact]
    public async Task Optional_fields_are_not_required_and_required_fields_are_not_nullable()
    {
        var schemas = (await DocumentAsync()).GetProperty("components").GetProperty("schemas");

        Assert.False(schemas.GetProperty("LogoutRequest").TryGetProperty("required", out _));
        var login = schemas.GetProperty("LoginRequest");
        Assert.Equal(["password", "username"], login.GetProperty("required").EnumerateArray().Select(v => v.GetString()).Order());
        Assert.Equal("string", login.GetProperty("properties").GetProperty("username").GetProperty("type").GetString());
        Assert.Equal("string", login.GetProperty("properties").GetProperty("password").GetProperty("type").GetString());
        Assert.False(schemas.GetProperty("UpdateUserRequest").TryGetProperty("required", out _));
        foreach (var (schema, fields) in new[]
        {
            ("EnrolRequest", new[] { "password" }), ("ConfirmRequest", ["code"]), ("TurnOffRequest", ["code", "password"]),
            ("DeleteAccountRequest", ["password"]), ("ForgotPasswordRequest", ["email"]), ("ResetPasswordRequest", ["new_password", "token"]),
            ("ConfirmEmailRequest", ["token"]),
        })
        {
            var request = schemas.GetProperty(schema);
            Assert.Equal(fields, request.GetProperty("required").EnumerateArray().Select(v => v.GetString()).Order());
            Assert.All(fields, field => Assert.Equal("string", request.GetProperty("properties").GetProperty(field).GetProperty("type").GetString()));
        }
        var tokens = schemas.GetProperty("SessionTokens");
        Assert.DoesNotContain("refresh_token", tokens.GetProperty("required").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal("string", tokens.GetProperty("properties").GetProperty("refresh_token").GetProperty("type").GetString());
    }

    [Fact]
    public async Task Every_operation_has_a_unique_operation_id_and_a_description_and_every_tag_a_description()
    {
        var document = await DocumentAsync();

        var operations = Operations(document).ToList();
        Assert.Equal(22, operations.Count);
        Assert.All(operations, op => Assert.False(string.IsNullOrEmpty(op.Value.GetProperty("description").GetString()), op.Key));
        var ids = operations.Select(op => op.Value.TryGetProperty("operationId", out var id) ? id.GetString() : null).ToList();
        Assert.DoesNotContain(null, ids);
        Assert.Equal(ids.Count, ids.Distinct().Count());
        var tags = document.GetProperty("tags").EnumerateArray().ToList();
        Assert.Equal(["Admin", "Auth", "OAuth 2.0", "Two-factor", "Users"], tags.Select(t => t.GetProperty("name").GetString()).Order());
        Assert.All(tags, tag => Assert.False(string.IsNullOrEmpty(tag.GetProperty("description").GetString())));
    }

    [Fact]
    public async Task The_scrape_and_probe_endpoints_are_not_part_of_the_api()
    {
        var paths = (await DocumentAsync()).GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();

        Assert.DoesNotContain(paths, path => path.StartsWith("/metrics", StringComparison.Ordinal) || path.StartsWith("/health", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Every_request_and_response_body_schema_has_an_example()
    {
        var document = await DocumentAsync();
        var schemas = document.GetProperty("components").GetProperty("schemas");

        var referenced = Operations(document)
            .SelectMany(op => BodySchemas(op.Value))
            .Select(reference => reference.Split('/').Last())
            .Distinct()
            .Where(name => !name.Contains("ProblemDetails"))
            .ToList();
        Assert.NotEmpty(referenced);
        Assert.All(referenced, name => Assert.True(schemas.GetProperty(name).TryGetProperty("examples", out var examples) && examples.GetArrayLength() > 0, name));
    }

    [Fact]
    public async Task The_server_url_is_relative_whatever_the_host_header_says()
    {
        using var client = _app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/openapi/v1.json");
        request.Headers.Host = "attacker.example";

        var document = await (await client.SendAsync(request)).Content.ReadFromJsonAsync<JsonElement>();

        var server = Assert.Single(document.GetProperty("servers").EnumerateArray());
        Assert.Equal("/", server.GetProperty("url").GetString());
        Assert.DoesNotContain("attacker.example", document.ToString());
    }

    [Fact]
    public async Task The_interactive_reference_is_served_in_development_only_under_a_nonce_policy()
    {
        using var development = new JwtAuthApplication();
        using var client = development.CreateClient();
        using var production = _app.CreateClient();

        var page = await client.GetAsync("/scalar/");
        var absent = await production.GetAsync("/scalar");

        await page.EnsureStatusAsync(HttpStatusCode.OK);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("openapi/v1.json", html);
        var policy = page.Headers.GetValues("Content-Security-Policy").Single();
        var nonce = System.Text.RegularExpressions.Regex.Match(policy, "'nonce-([^']+)'").Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(nonce));
        Assert.Contains($"nonce=\"{nonce}\"", html);
        Assert.DoesNotContain("unsafe-inline", policy.Split(';').Single(d => d.Trim().StartsWith("script-src", StringComparison.Ordinal)));
        Assert.Contains("connect-src 'self'", policy);
        await absent.ReadProblemAsync(HttpStatusCode.NotFound);
    }

    private async Task<JsonElement> DocumentAsync()
    {
        if (_document is null)
        {
            using var client = _app.CreateClient();
            _document = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        }
        return _document.Value;
    }

    private static IEnumerable<KeyValuePair<string, JsonElement>> Operations(JsonElement document) =>
        document.GetProperty("paths").EnumerateObject().SelectMany(path => path.Value.EnumerateObject()
            .Select(op => KeyValuePair.Create($"{op.Name.ToUpperInvariant()} {path.Name}", op.Value)));

    private static JsonElement Operation(JsonElement document, string operation) =>
        Operations(document).Single(op => op.Key == operation).Value;

    private static JsonElement Parameter(JsonElement document, string operation, string name) =>
        Operation(document, operation).GetProperty("parameters").EnumerateArray().Single(p => p.GetProperty("name").GetString() == name);

    private static JsonElement RetryAfter(JsonElement document, string operation, string status) =>
        Operation(document, operation).GetProperty("responses").GetProperty(status).GetProperty("headers").GetProperty("Retry-After");

    private static string[] SecurityAlternatives(JsonElement operation) =>
        [.. operation.GetProperty("security").EnumerateArray().Select(r => string.Join(",", r.EnumerateObject().Select(p => p.Name)))];

    private static JsonElement FormSchema(JsonElement document, string operation)
    {
        var reference = Operation(document, operation).GetProperty("requestBody").GetProperty("content")
            .GetProperty("application/x-www-form-urlencoded").GetProperty("schema").GetProperty("$ref").GetString()!;
        return document.GetProperty("components").GetProperty("schemas").GetProperty(reference.Split('/').Last());
    }

    private static IEnumerable<string> BodySchemas(JsonElement operation)
    {
        var contents = new List<JsonElement>();
        if (operation.TryGetProperty("requestBody", out var body)) contents.Add(body.GetProperty("content"));
        contents.AddRange(operation.GetProperty("responses").EnumerateObject()
            .Where(r => r.Value.TryGetProperty("content", out _)).Select(r => r.Value.GetProperty("content")));
        foreach (var media in contents.SelectMany(c => c.EnumerateObject()))
        {
            var schema = media.Value.GetProperty("schema");
            if (schema.TryGetProperty("items", out var items)) schema = items;
            if (schema.TryGetProperty("$ref", out var reference)) yield return reference.GetString()!;
        }
    }

    private static string ReasonPhrase(string status) => Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(int.Parse(status));
}
