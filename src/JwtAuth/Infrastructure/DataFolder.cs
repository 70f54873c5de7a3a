namespace JwtAuth.Infrastructure;

/// <summary>The app's own files (the SQLite database, the development signing key) live in <c>data/</c> under the
/// content root: the repository root under <c>dotnet run</c>, the working directory of a published app.</summary>
public static class DataFolder
{
    public const string Name = "data";

    public static string Of(IHostEnvironment environment) => Path.Combine(environment.ContentRootPath, Name);
}
