using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace JwtAuth.Tests.Infrastructure;

/// <summary>TestServer requests have no remote address. This sets it, from a test-only header or else the
/// factory's default, before the app's own pipeline runs, so the server (its forwarded-headers handling
/// included) sees it as the TCP peer.</summary>
public sealed class TestPeerAddress(IPAddress? defaultAddress) : IStartupFilter
{
    public const string Header = "X-Test-Peer-Address";

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((context, nextMiddleware) =>
        {
            if (context.Request.Headers.Remove(Header, out var value) && IPAddress.TryParse(value, out var address))
            {
                context.Connection.RemoteIpAddress = address;
            }
            else if (defaultAddress is not null)
            {
                context.Connection.RemoteIpAddress = defaultAddress;
            }
            return nextMiddleware(context);
        });
        next(app);
    };
}
