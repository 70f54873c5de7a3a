using System.Net;
using System.Net.Sockets;

namespace JwtAuth.Tests.Mail;

/// <summary>The in-process SMTP server the mail tests read from: it must be the one listening on the port it reports,
/// or the server under test sends elsewhere and a test waits for mail that never comes.</summary>
public sealed class TestMailServerTests
{
    [Fact]
    public async Task Without_a_port_it_listens_where_it_says_and_two_servers_never_share_one()
    {
        await using var first = new TestMailServer();
        await using var second = new TestMailServer();

        Assert.NotEqual(first.Port, second.Port);
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, first.Port);
        using var reader = new StreamReader(client.GetStream());
        Assert.StartsWith("220 ", await reader.ReadLineAsync());
    }

    [Fact]
    public void A_port_another_listener_holds_fails_at_start_not_at_the_first_mail()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var error = Assert.Throws<InvalidOperationException>(() => new TestMailServer(port));

        Assert.IsType<SocketException>(error.InnerException?.GetBaseException());
    }
}
