namespace JwtAuth.Data;

/// <summary>Work that one instance at a time may do on a shared database.</summary>
public enum DatabaseLock
{
    /// <summary>Applying migrations at start-up.</summary>
    Migrations = 1,

    /// <summary>Deleting what has expired.</summary>
    Housekeeping = 2,
}
