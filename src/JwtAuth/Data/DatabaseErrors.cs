using System.Data.Common;
using System.Net.Sockets;

namespace JwtAuth.Data;

/// <summary>A database that refuses or cannot be reached, told in one line: the provider's message without its stack
/// trace, wherever it is in the chain (EF Core wraps a connection failure in its own exception).</summary>
public static class DatabaseErrors
{
    public static DbException? Find(Exception exception)
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            if (current is DbException database) return database;
            if (current is AggregateException { InnerExceptions.Count: 1 } aggregate) return Find(aggregate.InnerExceptions[0]);
        }
        return null;
    }

    /// <summary>The message, with the network's reason when it is a failure to connect.</summary>
    public static string Describe(DbException exception)
    {
        var message = exception.Message.TrimEnd('.');
        return exception.InnerException is SocketException socket ? $"{message}: {socket.Message.TrimEnd('.')}" : message;
    }
}

/// <summary>A database that cannot be used as configured, with what to do about it.</summary>
public sealed class DatabaseSetupException(string message, Exception innerException) : DbException(message, innerException);
