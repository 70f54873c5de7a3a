using System.Diagnostics.Metrics;
using JwtAuth.Infrastructure;

namespace JwtAuth.Users;

/// <summary>Password logins (<c>/login</c> and the password grant of <c>/token</c>) by result, and lockouts started.</summary>
public sealed class LoginMetrics
{
    public const string LoginsName = "jwtauth.logins";
    public const string LockoutsName = "jwtauth.lockouts";

    public const string ResultTag = "result";

    /// <summary>The values of the logins' <c>result</c> tag.</summary>
    public static class LoginResults
    {
        public const string Succeeded = "succeeded";
        public const string InvalidCredentials = "invalid_credentials";
        public const string LockedOut = "locked_out";
        public const string Busy = "busy";
        public const string SecondFactorRequired = "second_factor_required";
        public const string WrongSecondFactor = "wrong_second_factor";
    }

    private readonly Counter<long> _logins;
    private readonly Counter<long> _lockouts;

    public LoginMetrics(IMeterFactory meters)
    {
        var meter = JwtAuthMeter.Get(meters);
        _logins = meter.CreateCounter<long>(LoginsName, unit: "{login}", description: "Password logins, by result.");
        _lockouts = meter.CreateCounter<long>(LockoutsName, unit: "{lockout}",
            description: "Usernames locked after too many failed passwords (at login or when changing the password).");
    }

    public void LoggedIn(string result) => _logins.Add(1, new KeyValuePair<string, object?>(ResultTag, result));

    public void LockoutStarted() => _lockouts.Add(1);
}
