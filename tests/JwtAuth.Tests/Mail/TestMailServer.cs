using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using MimeKit;
using SmtpServer;
using SmtpServer.Net;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace JwtAuth.Tests.Mail;

/// <summary>A real SMTP server on loopback, in the test process: the server under test sends to it with MailKit, and
/// tests read what arrived as a user's mail program would.</summary>
public sealed partial class TestMailServer : IAsyncDisposable
{
    public const string From = "JwtAuth <no-reply@jwtauth.test>";

    private readonly CancellationTokenSource _stop = new();
    private readonly Channel<MimeMessage> _arrived = Channel.CreateUnbounded<MimeMessage>();
    private readonly List<MimeMessage> _all = [];
    private readonly Task _running;

    /// <summary>Starts listening on <paramref name="port"/>, or on a port the system picks while binding, so no other
    /// listener can take it between choosing and binding.</summary>
    public TestMailServer(int? port = null)
    {
        var options = new SmtpServerOptionsBuilder()
            .ServerName("localhost")
            .Endpoint(endpoint => endpoint.Endpoint(new IPEndPoint(IPAddress.Loopback, port ?? 0)))
            .Build();
        var listening = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var listeners = new EndpointListenerFactory();
        listeners.EndpointStarted += (_, e) => listening.TrySetResult(((IPEndPoint)e.LocalEndPoint).Port);
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(new Store(this));
        services.Add(listeners);
        _running = new SmtpServer.SmtpServer(options, services).StartAsync(_stop.Token);
        Port = WaitUntilListening(listening.Task);
    }

    public int Port { get; }

    /// <summary>The settings that point the server under test here.</summary>
    public (string Key, string? Value)[] Settings =>
    [
        ("Email:Smtp:Host", "127.0.0.1"),
        ("Email:Smtp:Port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        ("Email:Smtp:UseTls", "false"),
        ("Email:From", From),
    ];

    public IReadOnlyList<MimeMessage> Received
    {
        get
        {
            lock (_all) return [.. _all];
        }
    }

    /// <summary>The next mail to arrive (in real time: sending happens in the server's background).</summary>
    public async Task<MimeMessage> NextAsync(TimeSpan? timeout = null)
    {
        using var wait = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(15));
        try
        {
            return await _arrived.Reader.ReadAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException("No mail arrived.");
        }
    }

    /// <summary>Whether a mail arrives within <paramref name="wait"/>.</summary>
    public async Task<bool> AnyArrivesWithinAsync(TimeSpan wait)
    {
        using var timeout = new CancellationTokenSource(wait);
        try
        {
            return await _arrived.Reader.WaitToReadAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>The link in a mail's text that has the fragment (<c>#reset=</c>, <c>#confirm=</c>), as a user clicks it.</summary>
    public static Uri Link(MimeMessage mail, string fragment)
    {
        var match = Regex.Match(mail.TextBody ?? "", @"https?://\S+/" + Regex.Escape(fragment) + @"[A-Za-z0-9_-]+");
        Assert.True(match.Success, $"No {fragment} link in the mail:\n{mail.TextBody}");
        return new Uri(match.Value);
    }

    /// <summary>The token a page would read from the link's fragment.</summary>
    public static string Token(MimeMessage mail, string fragment) =>
        Link(mail, fragment).Fragment[fragment.Length..];

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _running.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception ex) when (ex is OperationCanceledException or TimeoutException)
        {
            // Stopped.
        }
        _stop.Dispose();
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The port once the server listens; a server that could not bind fails here, not at the first mail.</summary>
    private int WaitUntilListening(Task<int> listening)
    {
        var first = Task.WhenAny(listening, _running).Wait(TimeSpan.FromSeconds(10));
        if (listening.IsCompletedSuccessfully)
        {
            return listening.Result;
        }
        _stop.Cancel();
        throw new InvalidOperationException(
            first ? "The test SMTP server did not start." : "The test SMTP server did not listen within 10 s.", _running.Exception);
    }

    private sealed class Store(TestMailServer server) : MessageStore
    {
        public override async Task<SmtpResponse> SaveAsync(
            ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            using var stream = new MemoryStream(buffer.ToArray());
            var message = await MimeMessage.LoadAsync(stream, cancellationToken);
            lock (server._all) server._all.Add(message);
            await server._arrived.Writer.WriteAsync(message, cancellationToken);
            return SmtpResponse.Ok;
        }
    }
}
