namespace JwtAuth.Tests.Browser;

/// <summary>Where the browser tests leave their screenshots: <c>TestResults/browser</c> at the repository root, the
/// folder <c>.ci/run</c> collects its results in (ignored by git).</summary>
public static class Artifacts
{
    public static string Folder { get; } = Create();

    public static string PathOf(string fileName) => Path.Combine(Folder, fileName);

    private static string Create()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "JwtAuth.sln")))
        {
            directory = directory.Parent;
        }
        var folder = Path.Combine(directory?.FullName ?? AppContext.BaseDirectory, "TestResults", "browser");
        Directory.CreateDirectory(folder);
        return folder;
    }
}
