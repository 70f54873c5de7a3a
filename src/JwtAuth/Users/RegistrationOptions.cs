namespace JwtAuth.Users;

public sealed class RegistrationOptions
{
    public const string Section = "Registration";

    /// <summary>Open self-registration at <c>POST /register</c>; administrators and the command line can always create users.</summary>
    public bool Enabled { get; set; } = true;
}
