using JwtAuth.Cli;

namespace JwtAuth.Tests.Cli;

/// <summary>How the executable tells commands from the web server, help, and usage errors.</summary>
public sealed class CommandLineTests
{
    [Theory]
    [InlineData(new[] { "users", "list" }, true)]
    [InlineData(new[] { "keys", "new" }, true)]
    [InlineData(new[] { "token", "decode", "x" }, true)]
    [InlineData(new[] { "db", "migrate" }, true)]
    [InlineData(new[] { "--help" }, true)]
    [InlineData(new string[0], false)]
    [InlineData(new[] { "--urls", "http://127.0.0.1:5000" }, false)]
    [InlineData(new[] { "--environment=Development" }, false)]
    [InlineData(new[] { "Users", "list" }, true)]
    [InlineData(new[] { "user", "list" }, true)]
    public void Commands_are_told_from_web_host_arguments(string[] args, bool isCommand) =>
        Assert.Equal(isCommand, AdminCommandLine.Handles(args));

    [Theory]
    [InlineData("users")]
    [InlineData("users add")]
    [InlineData("users list")]
    [InlineData("users revoke-sessions")]
    [InlineData("keys")]
    [InlineData("keys new")]
    [InlineData("token")]
    [InlineData("token decode")]
    [InlineData("db")]
    [InlineData("db migrate")]
    public async Task Every_command_has_help(string command)
    {
        var result = await CliRunner.RunAsync([.. command.Split(' '), "--help"]);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains($"JwtAuth {command}", result.Out);
        Assert.Contains("Description:", result.Out);
        Assert.Empty(result.Error);
    }

    [Fact]
    public async Task Top_level_help_lists_the_commands()
    {
        var result = await CliRunner.RunAsync(["--help"]);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        foreach (var command in AdminCommandLine.CommandWords)
        {
            Assert.Contains($"  {command} ", result.Out);
        }
    }

    [Theory]
    [InlineData("users", "users --help")]
    [InlineData("users frob", "users --help")]
    [InlineData("users add", "users add --help")]
    [InlineData("users add a b", "users add --help")]
    [InlineData("keys new --bits 512", "keys new --help")]
    [InlineData("token decode", "token decode --help")]
    [InlineData("db migrate now", "db migrate --help")]
    [InlineData("user list", "--help")]
    [InlineData("serve --urls http://127.0.0.1:5000", "--help")]
    public async Task Usage_errors_exit_2_with_one_line_on_stderr(string command, string help)
    {
        var result = await CliRunner.RunAsync(command.Split(' '));

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Empty(result.Out);
        var line = Assert.Single(result.Error.ReplaceLineEndings("\n").TrimEnd().Split('\n'));
        Assert.StartsWith("error: ", line);
        Assert.EndsWith($"(see '{help}')", line);
    }

    [Fact]
    public async Task A_misspelled_setting_is_a_failure_naming_the_key()
    {
        var result = await CliRunner.RunAsync(["users", "list", "--Database:ConectionString=Data Source=x.db"]);

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.Equal("error: invalid settings: Database:ConectionString is not a setting; check its spelling.", result.Error.Trim());
    }

    [Fact]
    public async Task Commands_on_the_database_say_which_environment_and_database_they_act_on()
    {
        using var database = new TemporaryDatabase();

        var result = await CliRunner.RunAsync(["db", "migrate", "--environment=Staging", .. database.Arguments]);

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        Assert.Equal($"JwtAuth (Staging): database {database.Location}", result.Context);
    }

    [Fact]
    public async Task Invalid_settings_are_a_failure_in_one_line()
    {
        var result = await CliRunner.RunAsync(["db", "migrate", "--Database:Provider=Oracle"]);

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.StartsWith("error: invalid settings: ", result.Error);
        Assert.Single(result.Error.Trim().Split('\n'));
    }
}
